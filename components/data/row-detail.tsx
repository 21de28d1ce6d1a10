"use client";

/**
 * The panels a list opens beside itself. `RowDetail` is a row's own panel,
 * opened by its button and holding what the server rendered for it.
 * `LinkedPanel` is a panel whose state is the URL (`?event=…`,
 * `?evidence=…`): the server renders it open, so the address can be shared
 * and reloaded, and closing it navigates back to the list.
 */
import type { ReactNode } from "react";
import { useRouter } from "next/navigation";
import { PanelRight } from "lucide-react";
import { Button } from "@/components/ui/button";
import { Sheet, SheetContent, SheetDescription, SheetHeader, SheetTitle, SheetTrigger } from "@/components/ui/sheet";
import { cn } from "@/lib/utils";

export function RowDetail({ title, description, children }: { title: string; description?: ReactNode; children: ReactNode }) {
  return (
    <Sheet>
      <SheetTrigger asChild>
        <Button variant="ghost" size="icon" className="relative z-10 size-8" aria-label={`Details of ${title}`} title="Details">
          <PanelRight aria-hidden="true" />
        </Button>
      </SheetTrigger>
      <PanelContent title={title} description={description}>
        {children}
      </PanelContent>
    </Sheet>
  );
}

export function LinkedPanel({
  title,
  description,
  closeHref,
  wide = false,
  children,
}: {
  title: string;
  description?: ReactNode;
  /** The list the panel was opened from. */
  closeHref: string;
  wide?: boolean;
  children: ReactNode;
}) {
  const router = useRouter();
  return (
    <Sheet
      defaultOpen
      onOpenChange={(open) => {
        if (!open) router.push(closeHref, { scroll: false });
      }}
    >
      <PanelContent title={title} description={description} wide={wide}>
        {children}
      </PanelContent>
    </Sheet>
  );
}

function PanelContent({
  title,
  description,
  wide = false,
  children,
}: {
  title: string;
  description?: ReactNode;
  wide?: boolean;
  children: ReactNode;
}) {
  return (
    <SheetContent className={cn("w-full gap-0 sm:max-w-lg", wide && "lg:max-w-2xl")}>
      <SheetHeader className="border-b pr-12">
        <SheetTitle className="break-words">{title}</SheetTitle>
        {/* Radix wants a description; an empty one keeps the panel quiet when there is none. */}
        <SheetDescription className={cn("break-words", !description && "sr-only")}>{description ?? title}</SheetDescription>
      </SheetHeader>
      <div className="min-h-0 flex-1 overflow-y-auto p-4">{children}</div>
    </SheetContent>
  );
}
