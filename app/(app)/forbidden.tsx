import { AccessDenied } from "@/components/shell/access-denied";
import { currentRoleLabel } from "@/lib/auth/session";

/** Rendered inside the app frame, with HTTP 403, whenever a page of the app calls forbidden(). */
export default async function Forbidden() {
  return <AccessDenied role={await currentRoleLabel()} />;
}
