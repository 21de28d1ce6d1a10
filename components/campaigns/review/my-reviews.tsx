/**
 * "My reviews" on the home page: the signed-in member's active campaigns,
 * how many of their items remain, and a link to each queue. Server component.
 */
import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import { formatCount, formatDate } from "@/lib/format";

export function MyReviews({ reviews }: { reviews: { id: string; name: string; dueDate: string; total: number; remaining: number }[] }) {
  if (reviews.length === 0)
    return (
      <p className="rounded-md border border-dashed p-4 text-sm text-muted-foreground">
        No campaign is assigned to you. There is nothing to do for now.
      </p>
    );
  return (
    <ul className="grid gap-2" aria-label="My reviews">
      {reviews.map((r) => (
        <li key={r.id} className="flex flex-wrap items-center gap-x-3 gap-y-1 rounded-md border p-3 text-sm">
          <Link href={`/campaigns/${r.id}/review`} className="font-medium text-primary hover:underline">
            {r.name}
          </Link>
          {r.remaining > 0 ? (
            <Badge variant="warning">{formatCount(r.remaining)} to review</Badge>
          ) : (
            <Badge variant="success">All decided</Badge>
          )}
          <span className="text-muted-foreground">
            {formatCount(r.total - r.remaining)} of {formatCount(r.total)} decided · due {formatDate(`${r.dueDate}T00:00:00Z`)}
          </span>
        </li>
      ))}
    </ul>
  );
}
