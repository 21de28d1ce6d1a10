import { NotFoundPanel } from "@/components/shell/not-found-panel";

export const metadata = { title: "Page not found" };

/** Rendered inside the app frame, with HTTP 404, for unknown paths and for rows this tenant cannot see. */
export default function NotFound() {
  return <NotFoundPanel />;
}
