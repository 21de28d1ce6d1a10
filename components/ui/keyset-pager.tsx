import Link from "next/link";
import { Button } from "@/components/ui/button";

/** "First page" / "Next page" links for keyset-paginated tables; server-safe. */
export function KeysetPager({
  label = "Pagination",
  summary,
  firstHref,
  nextHref,
}: {
  label?: string;
  summary: string;
  /** Shown when not on the first page. */
  firstHref?: string | null;
  nextHref?: string | null;
}) {
  return (
    <nav aria-label={label} className="flex items-center justify-between text-sm text-muted-foreground">
      <span>{summary}</span>
      <div className="flex gap-2">
        {firstHref ? (
          <Button variant="outline" size="sm" asChild>
            <Link href={firstHref}>First page</Link>
          </Button>
        ) : null}
        {nextHref ? (
          <Button variant="outline" size="sm" asChild>
            <Link href={nextHref}>Next page</Link>
          </Button>
        ) : null}
      </div>
    </nav>
  );
}
