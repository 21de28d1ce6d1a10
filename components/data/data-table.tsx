/**
 * The list table every page uses. It takes column definitions and rows and
 * renders them twice: as a table from `sm` up, whose less important columns
 * drop out as the width shrinks (their values stay in the row's detail
 * panel), and below `sm` as stacked cards of label/value pairs. Wide content
 * scrolls inside the table's card, never the page. Server-safe: cells may
 * hold client components, and the detail panel receives them rendered.
 */
import type { ReactNode } from "react";
import { Table, TableBody, TableCell, TableFooter, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { cn } from "@/lib/utils";
import { RowDetail } from "./row-detail";

/**
 * From which width a column is shown in the table. "always" columns carry the
 * row (its name, its status, its actions); the others fold into the detail panel.
 */
export type ColumnPriority = "always" | "md" | "lg" | "xl" | "2xl";

const PRIORITY_CLASSES: Record<ColumnPriority, string> = {
  always: "",
  md: "hidden md:table-cell",
  lg: "hidden lg:table-cell",
  xl: "hidden xl:table-cell",
  "2xl": "hidden 2xl:table-cell",
};

export type ColumnDef<T> = {
  id: string;
  header: string;
  cell: (row: T) => ReactNode;
  /** The untruncated value, for the detail panel and the stacked card; defaults to `cell`. */
  full?: (row: T) => ReactNode;
  priority?: ColumnPriority;
  align?: "right";
  /** Classes of the column's table cells (width, truncation, font). */
  className?: string;
  /** Visually hidden head (a column of buttons). */
  srOnlyHeader?: boolean;
  /**
   * Its place in a stacked card: "title" heads the card, "actions" ends it,
   * false leaves it out (a value another column already shows there).
   */
  stacked?: "title" | "actions" | false;
};

export function DataTable<T>({
  label,
  columns,
  rows,
  rowKey,
  empty,
  footer,
  detail,
  rowClassName,
  framed = true,
  className,
}: {
  /** The table's accessible name ("Sync history"). */
  label: string;
  columns: ColumnDef<T>[];
  rows: T[];
  rowKey: (row: T) => string;
  /** Shown instead of rows when there are none. */
  empty: ReactNode;
  /** A totals row, shown in the table's footer and as the last card. */
  footer?: T;
  /**
   * A row detail panel holding every column in full, opened from a button at the
   * row's end. `title` heads the panel and names the button ("Details of …").
   */
  detail?: { title: (row: T) => string; description?: (row: T) => ReactNode };
  rowClassName?: (row: T) => string | undefined;
  /** Inside a Card the table needs no frame of its own. */
  framed?: boolean;
  className?: string;
}) {
  const full = (c: ColumnDef<T>, row: T) => (c.full ?? c.cell)(row);
  const headCount = columns.length + (detail ? 1 : 0);

  const table = (
    <Table aria-label={label} containerClassName="hidden sm:block">
      <TableHeader>
        <TableRow>
          {columns.map((c) => (
            <TableHead key={c.id} className={cn(PRIORITY_CLASSES[c.priority ?? "always"], c.align === "right" && "text-right")}>
              {c.srOnlyHeader ? <span className="sr-only">{c.header}</span> : c.header}
            </TableHead>
          ))}
          {detail ? (
            <TableHead className="w-10">
              <span className="sr-only">Details</span>
            </TableHead>
          ) : null}
        </TableRow>
      </TableHeader>
      <TableBody>
        {rows.length === 0 ? (
          <EmptyRow colSpan={headCount}>{empty}</EmptyRow>
        ) : (
          rows.map((row) => (
            <TableRow key={rowKey(row)} className={rowClassName?.(row)}>
              {columns.map((c) => (
                <TableCell
                  key={c.id}
                  className={cn(PRIORITY_CLASSES[c.priority ?? "always"], c.align === "right" && "text-right tabular-nums", c.className)}
                >
                  {c.cell(row)}
                </TableCell>
              ))}
              {detail ? (
                <TableCell className="w-10 text-right">
                  <RowDetail title={detail.title(row)} description={detail.description?.(row)}>
                    <DetailList>
                      {columns
                        .filter((c) => c.stacked !== "actions")
                        .map((c) => (
                          <DetailItem key={c.id} label={c.header}>
                            {full(c, row)}
                          </DetailItem>
                        ))}
                    </DetailList>
                  </RowDetail>
                </TableCell>
              ) : null}
            </TableRow>
          ))
        )}
      </TableBody>
      {footer ? (
        <TableFooter>
          <TableRow>
            {columns.map((c) => (
              <TableCell
                key={c.id}
                className={cn(PRIORITY_CLASSES[c.priority ?? "always"], c.align === "right" && "text-right tabular-nums")}
              >
                {c.cell(footer)}
              </TableCell>
            ))}
            {detail ? <TableCell /> : null}
          </TableRow>
        </TableFooter>
      ) : null}
    </Table>
  );

  const stacked = (
    <ul aria-label={label} data-slot="stacked-rows" className="grid divide-y sm:hidden">
      {rows.length === 0 ? (
        <li className="py-8 text-center text-sm text-muted-foreground">{empty}</li>
      ) : (
        [...rows, ...(footer ? [footer] : [])].map((row, i) => (
          <StackedRow key={i < rows.length ? rowKey(row) : "footer"} row={row} columns={columns} inset={framed} />
        ))
      )}
    </ul>
  );

  return (
    <div data-slot="data-table" className={cn("min-w-0", framed && "rounded-lg border bg-card", className)}>
      {table}
      {stacked}
    </div>
  );
}

function StackedRow<T>({ row, columns, inset }: { row: T; columns: ColumnDef<T>[]; inset: boolean }) {
  const title = columns.find((c) => c.stacked === "title");
  const actions = columns.filter((c) => c.stacked === "actions");
  const fields = columns.filter((c) => c.stacked === undefined);
  return (
    // Inside a Card the card's own padding already sets the cards off from its edge.
    <li className={cn("grid min-w-0 gap-2 py-3 text-sm", inset && "px-3")}>
      {title ? <div className="min-w-0 font-medium break-words">{(title.full ?? title.cell)(row)}</div> : null}
      <dl className="grid grid-cols-[minmax(6rem,auto)_1fr] gap-x-3 gap-y-1.5">
        {fields.map((c) => (
          <div key={c.id} className="contents">
            <dt className="text-xs text-muted-foreground">{c.header}</dt>
            <dd className={cn("min-w-0 break-words", c.align === "right" && "tabular-nums")}>{(c.full ?? c.cell)(row)}</dd>
          </div>
        ))}
      </dl>
      {actions.map((c) => (
        <div key={c.id} className="flex flex-wrap gap-2">
          {c.cell(row)}
        </div>
      ))}
    </li>
  );
}

/** Label/value pairs of a detail panel. */
export function DetailList({ children, className }: { children: ReactNode; className?: string }) {
  return <dl className={cn("grid gap-x-4 gap-y-3 text-sm sm:grid-cols-[9rem_1fr]", className)}>{children}</dl>;
}

export function DetailItem({ label, children }: { label: ReactNode; children: ReactNode }) {
  return (
    <div className="contents">
      <dt className="text-xs font-medium tracking-wide text-muted-foreground uppercase sm:pt-0.5">{label}</dt>
      <dd className="min-w-0 break-words">{children}</dd>
    </div>
  );
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
