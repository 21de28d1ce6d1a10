import { AccessDenied } from "@/components/shell/access-denied";

/** Rendered with HTTP 403 when a page calls forbidden(). */
export default function Forbidden() {
  return <AccessDenied />;
}
