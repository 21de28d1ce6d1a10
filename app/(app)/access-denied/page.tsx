import { forbidden } from "next/navigation";

export const dynamic = "force-dynamic";

/**
 * Where middleware rewrites a role that may not see an area. Inside the app's
 * frame, so forbidden() renders app/(app)/forbidden.tsx with the navigation and HTTP 403.
 */
export default function AccessDeniedPage() {
  forbidden();
}
