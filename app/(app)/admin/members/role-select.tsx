"use client";

import { useActionState } from "react";
import { toast } from "@/components/ui/toaster";
import { Button } from "@/components/ui/button";
import { NativeSelect, NativeSelectOption } from "@/components/ui/native-select";
import type { ActionResult } from "@/lib/actions";
import { ROLES } from "@/lib/auth/permissions";
import { changeMemberRoleAction } from "./actions";

export function RoleSelect({ membershipId, role, email }: { membershipId: string; role: string; email: string }) {
  const [, action, pending] = useActionState(async (prev: ActionResult<unknown> | null, formData: FormData) => {
    const result = await changeMemberRoleAction(prev, formData);
    if (result.ok) toast.success(`${email}: ${formData.get("role")}`);
    else toast.error(result.message);
    return result;
  }, null);
  return (
    <form action={action} className="flex flex-wrap items-center gap-2">
      <input type="hidden" name="membershipId" value={membershipId} />
      <NativeSelect name="role" defaultValue={role} size="sm" aria-label={`Role of ${email}`} className="w-28 sm:w-32">
        {ROLES.map((r) => (
          <NativeSelectOption key={r} value={r}>
            {r}
          </NativeSelectOption>
        ))}
      </NativeSelect>
      <Button type="submit" size="sm" variant="outline" disabled={pending}>
        Save
      </Button>
    </form>
  );
}
