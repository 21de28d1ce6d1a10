import { forbidden } from "next/navigation";

export const dynamic = "force-dynamic";

/** Where middleware rewrites a role that may not see an area: renders app/forbidden.tsx with HTTP 403. */
export default function AccessDeniedPage() {
  forbidden();
}
