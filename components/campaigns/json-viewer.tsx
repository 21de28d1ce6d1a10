"use client";

/**
 * A read-only, collapsible view of a JSON value: each object and array is a
 * button that expands or collapses it (Enter or Space from the keyboard, as
 * any button), and a value can carry a note beside it (an integration's name
 * beside its id).
 */
import { useState } from "react";
import { ChevronRight } from "lucide-react";
import { cn } from "@/lib/utils";

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

export function JsonViewer({
  value,
  label,
  notes = {},
  defaultExpandedDepth = 1,
  className,
}: {
  value: unknown;
  /** The root's name, shown on its toggle. */
  label: string;
  /** Notes shown beside string values equal to a key (an id → its name). */
  notes?: Record<string, string>;
  /** How many levels start open. */
  defaultExpandedDepth?: number;
  className?: string;
}) {
  return (
    <div
      data-slot="json-viewer"
      className={cn("overflow-x-auto rounded-md border bg-muted/30 p-3 font-mono text-xs leading-relaxed", className)}
    >
      <JsonNode name={label} value={value as Json} depth={0} notes={notes} openDepth={defaultExpandedDepth} last />
    </div>
  );
}

function JsonNode({
  name,
  value,
  depth,
  notes,
  openDepth,
  last,
}: {
  name: string | null;
  value: Json;
  depth: number;
  notes: Record<string, string>;
  openDepth: number;
  last: boolean;
}) {
  const [open, setOpen] = useState(depth < openDepth);
  const comma = last ? "" : ",";
  const key = name === null ? null : <span className="text-sky-700 dark:text-sky-300">{JSON.stringify(name)}</span>;

  if (value === null || typeof value !== "object") {
    const note = typeof value === "string" ? notes[value] : undefined;
    return (
      <div className="pl-5 break-all">
        {key}
        {key ? ": " : null}
        <Scalar value={value} />
        {comma}
        {note ? <span className="ml-2 font-sans text-muted-foreground">({note})</span> : null}
      </div>
    );
  }

  const isArray = Array.isArray(value);
  const entries: [string | null, Json][] = isArray ? value.map((v) => [null, v]) : Object.entries(value);
  const [openBracket, closeBracket] = isArray ? ["[", "]"] : ["{", "}"];
  const summary = isArray
    ? `${entries.length} ${entries.length === 1 ? "item" : "items"}`
    : `${entries.length} ${entries.length === 1 ? "key" : "keys"}`;

  if (entries.length === 0)
    return (
      <div className="pl-5">
        {key}
        {key ? ": " : null}
        {openBracket}
        {closeBracket}
        {comma}
      </div>
    );

  return (
    <div>
      <button
        type="button"
        aria-expanded={open}
        onClick={() => setOpen(!open)}
        className="flex w-full items-start gap-1 rounded-sm text-left hover:bg-accent focus-visible:ring-2 focus-visible:ring-ring focus-visible:outline-none"
      >
        <ChevronRight aria-hidden="true" className={cn("mt-0.5 size-4 shrink-0 transition-transform", open && "rotate-90")} />
        <span className="min-w-0 break-all">
          {key ?? <span className="sr-only">item</span>}
          {key ? ": " : null}
          {openBracket}
          {open ? null : (
            <>
              <span className="px-1 font-sans text-muted-foreground">{summary}</span>
              {closeBracket}
              {comma}
            </>
          )}
        </span>
      </button>
      {open ? (
        <>
          <div className="ml-2 border-l pl-2">
            {entries.map(([k, v], i) => (
              <JsonNode
                key={k ?? i}
                name={k}
                value={v}
                depth={depth + 1}
                notes={notes}
                openDepth={openDepth}
                last={i === entries.length - 1}
              />
            ))}
          </div>
          <div className="pl-5">
            {closeBracket}
            {comma}
          </div>
        </>
      ) : null}
    </div>
  );
}

function Scalar({ value }: { value: string | number | boolean | null }) {
  if (typeof value === "string") return <span className="text-emerald-700 dark:text-emerald-300">{JSON.stringify(value)}</span>;
  if (value === null) return <span className="text-muted-foreground">null</span>;
  return <span className="text-amber-700 dark:text-amber-300">{String(value)}</span>;
}
