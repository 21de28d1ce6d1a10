/**
 * The list table every page uses: a bordered card holding a labelled table,
 * its column heads, and one muted row saying why it is empty. Server-safe.
 */
import type { ReactNode } from "react";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { cn } from "@/lib/utils";

export type Column = { label: ReactNode; className?: string; key?: string };

export function DataTable({
  label,
  columns,
  empty,
  isEmpty,
  children,
  footer,
  framed = true,
  className,
}: {
  /** The table's accessible name ("Sync history"). */
  label: string;
  columns: (Column | string)[];
  /** Shown across all columns when there are no rows. */
  empty: ReactNode;
  isEmpty: boolean;
  children?: ReactNode;
  footer?: ReactNode;
  /** Inside a Card the table needs no frame of its own. */
  framed?: boolean;
  className?: string;
}) {
  const heads = columns.map((c) => (typeof c === "string" ? { label: c } : c));
  const table = (
    <Table aria-label={label}>
      <TableHeader>
        <TableRow>
          {heads.map((c, i) => (
            <TableHead key={c.key ?? (typeof c.label === "string" ? c.label : i)} className={c.className}>
              {c.label}
            </TableHead>
          ))}
        </TableRow>
      </TableHeader>
      <TableBody>{isEmpty ? <EmptyRow colSpan={heads.length}>{empty}</EmptyRow> : children}</TableBody>
      {footer}
    </Table>
  );
  return framed ? <div className={cn("min-w-0 rounded-lg border bg-card", className)}>{table}</div> : table;
}

/** The one row of an empty table. */
export function EmptyRow({ colSpan, children, className }: { colSpan: number; children: ReactNode; className?: string }) {
  return (
    <TableRow>
      <TableCell colSpan={colSpan} className={cn("py-10 text-center whitespace-normal text-muted-foreground", className)}>
        {children}
      </TableCell>
    </TableRow>
  );
}
