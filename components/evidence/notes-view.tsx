/**
 * Evidence notes as read-only rich text. Takes the HTML from renderNotesHtml,
 * which builds it from an allow-list with everything escaped, so it is safe
 * to insert as is. Server-safe: no client code.
 */
import { cn } from "@/lib/utils";

export function NotesView({ html, className }: { html: string; className?: string }) {
  return (
    <div
      data-slot="notes-view"
      className={cn(
        "text-sm leading-relaxed break-words",
        "[&_p]:my-1.5 [&>:first-child]:mt-0 [&>:last-child]:mb-0",
        "[&_h1]:mt-4 [&_h1]:mb-2 [&_h1]:text-xl [&_h1]:font-semibold",
        "[&_h2]:mt-3 [&_h2]:mb-1.5 [&_h2]:text-lg [&_h2]:font-semibold",
        "[&_h3]:mt-3 [&_h3]:mb-1 [&_h3]:text-base [&_h3]:font-semibold",
        "[&_h4]:mt-2 [&_h4]:mb-1 [&_h4]:font-semibold [&_h5]:font-semibold [&_h6]:font-semibold",
        "[&_ul]:my-1.5 [&_ul]:list-disc [&_ul]:pl-6 [&_ol]:my-1.5 [&_ol]:list-decimal [&_ol]:pl-6",
        "[&_li]:my-0.5 [&_li[data-nested]]:list-none [&_ul[data-list=check]]:list-none [&_ul[data-list=check]]:pl-1",
        "[&_blockquote]:my-2 [&_blockquote]:border-l-2 [&_blockquote]:pl-3 [&_blockquote]:text-muted-foreground",
        "[&_a]:text-primary [&_a]:underline [&_a]:underline-offset-2",
        "[&_code]:rounded [&_code]:bg-muted [&_code]:px-1 [&_code]:font-mono [&_code]:text-[0.85em]",
        "[&_pre]:my-2 [&_pre]:overflow-x-auto [&_pre]:rounded [&_pre]:bg-muted [&_pre]:p-2 [&_pre_code]:bg-transparent [&_pre_code]:p-0 [&_pre_code]:whitespace-pre",
        className,
      )}
      // Built by renderNotesHtml from an allow-list; nothing in it is the author's raw markup.
      // biome-ignore lint/security/noDangerouslySetInnerHtml: sanitized server-side by renderNotesHtml
      dangerouslySetInnerHTML={{ __html: html }}
    />
  );
}
