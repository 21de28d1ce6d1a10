import { Alert, AlertDescription } from "@/components/ui/alert";
import type { ActionResult } from "@/lib/actions";

/** The form-level outcome of an action: its error, or its success message. */
export function FormMessage({ state }: { state: ActionResult<unknown> | null }) {
  if (!state) return null;
  if (!state.ok) {
    return (
      <Alert variant="destructive">
        <AlertDescription>{state.message}</AlertDescription>
      </Alert>
    );
  }
  return state.message ? (
    <Alert variant="success" role="status">
      <AlertDescription>{state.message}</AlertDescription>
    </Alert>
  ) : null;
}

export function fieldError(state: ActionResult<unknown> | null, field: string): string[] | undefined {
  return state && !state.ok ? state.fieldErrors?.[field] : undefined;
}
