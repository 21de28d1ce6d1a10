import { notFound } from "next/navigation";

export const dynamic = "force-dynamic";

/**
 * Any path no page claims. Without it Next answers with its root 404, outside
 * the app's frame; here the signed-in user keeps the navigation (signed-out
 * visitors were already sent to sign in by middleware and the layout).
 */
export default function MissingPage() {
  notFound();
}
