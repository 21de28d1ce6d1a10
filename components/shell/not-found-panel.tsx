import Link from "next/link";
import { FileQuestion } from "lucide-react";

import { Button } from "@/components/ui/button";

/** Shown for a page that does not exist, or a record the current tenant cannot see. Server-safe. */
export function NotFoundPanel() {
  return (
    <section
      data-slot="not-found"
      aria-labelledby="not-found-title"
      className="mx-auto flex max-w-md flex-col items-center px-4 py-16 text-center"
    >
      <div className="mb-5 flex size-12 items-center justify-center rounded-full border bg-muted text-muted-foreground">
        <FileQuestion aria-hidden="true" className="size-6" />
      </div>
      <h1 id="not-found-title" className="text-2xl font-semibold tracking-tight">
        Page not found
      </h1>
      <p className="mt-2 text-sm text-muted-foreground">
        There is no page at this address, or what it showed is not part of your current tenant. Check the link, or pick a page from the
        navigation.
      </p>
      <Button asChild variant="outline" className="mt-6">
        <Link href="/">Back to Overview</Link>
      </Button>
    </section>
  );
}
