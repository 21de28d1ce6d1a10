import { Alert, AlertDescription } from "@/components/ui/alert";
import { isRunning } from "./sync-display";

type Run = { status: string; message: string | null } | undefined;

/**
 * The note shown after a save. It follows the run the save started, because a
 * "saved, updating live" note beside a run that has since failed reads as success.
 */
export function SavedBanner({ saved, run }: { saved: string; run: Run }) {
  if (saved !== "sync") {
    return (
      <Alert variant="success" role="status">
        <AlertDescription>Configuration saved. The integration is deactivated, so no sync was started.</AlertDescription>
      </Alert>
    );
  }
  const { variant, text } = describe(run);
  return (
    <Alert variant={variant} role="status">
      <AlertDescription>{text}</AlertDescription>
    </Alert>
  );
}

function describe(run: Run): { variant: "success" | "warning" | "destructive"; text: string } {
  const said = run?.message ? ` ${run.message}` : "";
  if (!run || isRunning(run.status)) {
    return { variant: "success", text: "Configuration saved. The sync it started is shown below and updates live." };
  }
  switch (run.status) {
    case "error":
      return { variant: "destructive", text: `Configuration saved, but the sync it started ended in error.${said}` };
    case "held":
      return { variant: "warning", text: `Configuration saved. The sync it started is held for review.${said}` };
    case "cancelled":
      return { variant: "warning", text: "Configuration saved. The sync it started was cancelled." };
    default:
      return { variant: "success", text: "Configuration saved. The sync it started has completed." };
  }
}
