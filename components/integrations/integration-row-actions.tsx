"use client";

/**
 * The per-row action menu of the Integrations list. Write items are passed in
 * only for roles that may use them; the server actions check again.
 */
import { useState, useTransition } from "react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { History, MoreHorizontal, Pencil, Play, Power, PowerOff, Send, Trash2, Users } from "lucide-react";
import { Button } from "@/components/ui/button";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from "@/components/ui/dropdown-menu";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { toast } from "@/components/ui/toaster";
import type { ActionResult } from "@/lib/actions";

type FormAction = (prev: ActionResult<unknown> | null, formData: FormData) => Promise<ActionResult<unknown>>;

export function IntegrationRowActions({
  integration,
  canWrite,
  canRun,
  canReadProvisioning = false,
  actions,
}: {
  integration: { id: string; name: string; active: boolean };
  canWrite: boolean;
  canRun: boolean;
  canReadProvisioning?: boolean;
  actions: { requestSync: FormAction; setActive: FormAction; remove: FormAction };
}) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [confirmDelete, setConfirmDelete] = useState(false);
  const { id, name, active } = integration;

  function run(action: FormAction, fields: Record<string, string>, success: string) {
    const formData = new FormData();
    for (const [k, v] of Object.entries(fields)) formData.set(k, v);
    startTransition(async () => {
      const result = await action(null, formData);
      if (result.ok) {
        // A request that joined the sync already queued says so (see requestSyncAction).
        toast.success((result.data as { joined?: boolean } | undefined)?.joined ? (result.message ?? success) : success);
        router.refresh();
      } else {
        toast.error(result.message);
      }
    });
  }

  return (
    <>
      <ConfirmDialog
        open={confirmDelete}
        onOpenChange={setConfirmDelete}
        title={`Delete “${name}”?`}
        description="It stops syncing; its sync history and evidence are kept."
        confirmLabel="Delete"
        destructive
        onConfirm={() => run(actions.remove, { id }, `“${name}” deleted`)}
      />
      <DropdownMenu>
        <DropdownMenuTrigger asChild>
          <Button variant="ghost" size="icon" aria-label={`Actions for ${name}`} disabled={pending}>
            <MoreHorizontal aria-hidden="true" />
          </Button>
        </DropdownMenuTrigger>
        <DropdownMenuContent align="end" className="w-48">
          {canWrite ? (
            <DropdownMenuItem asChild>
              <Link href={`/integrations/${id}/edit`}>
                <Pencil aria-hidden="true" /> Edit
              </Link>
            </DropdownMenuItem>
          ) : null}
          {canRun ? (
            <DropdownMenuItem
              disabled={!active}
              title={active ? undefined : "Activate the integration to sync it"}
              onSelect={() => run(actions.requestSync, { integrationId: id }, `Sync of “${name}” queued`)}
            >
              <Play aria-hidden="true" /> Sync now
            </DropdownMenuItem>
          ) : null}
          <DropdownMenuItem asChild>
            <Link href={`/integrations/${id}/syncs`}>
              <History aria-hidden="true" /> Sync History
            </Link>
          </DropdownMenuItem>
          <DropdownMenuItem asChild>
            <Link href={`/integrations/${id}/accounts`}>
              <Users aria-hidden="true" /> Accounts
            </Link>
          </DropdownMenuItem>
          {canReadProvisioning ? (
            <DropdownMenuItem asChild>
              <Link href={`/integrations/${id}/provisioning`}>
                <Send aria-hidden="true" /> Provisioning
              </Link>
            </DropdownMenuItem>
          ) : null}
          {canWrite ? (
            <>
              <DropdownMenuItem
                onSelect={() =>
                  run(actions.setActive, { id, active: String(!active) }, `“${name}” ${active ? "deactivated" : "activated"}`)
                }
              >
                {active ? <PowerOff aria-hidden="true" /> : <Power aria-hidden="true" />}
                {active ? "Deactivate" : "Activate"}
              </DropdownMenuItem>
              <DropdownMenuSeparator />
              <DropdownMenuItem variant="destructive" onSelect={() => setConfirmDelete(true)}>
                <Trash2 aria-hidden="true" /> Delete
              </DropdownMenuItem>
            </>
          ) : null}
        </DropdownMenuContent>
      </DropdownMenu>
    </>
  );
}
