/** Sync inputs, shared by the pages, the server actions and the REST API. Client-safe. */
import { z } from "zod";
import { OBJECT_TYPES, SYNC_MODES, SYNC_RECORD_OUTCOMES } from "@/lib/domain/enums";

const blankToUndefined = (v: unknown) => (v === "" ? undefined : v);

export const requestSyncSchema = z.object({
  mode: z.enum(SYNC_MODES).default("full"),
  idempotencyKey: z.string().trim().min(1).max(200).optional(),
});
export type RequestSyncInput = z.input<typeof requestSyncSchema>;

/** The Sync Log's filters, from a page's query string or the API's. */
export const syncLogFiltersSchema = z.object({
  outcome: z.preprocess(blankToUndefined, z.enum(SYNC_RECORD_OUTCOMES, { message: "is not an outcome" }).optional()),
  objectType: z.preprocess(blankToUndefined, z.enum(OBJECT_TYPES, { message: "is not an object type" }).optional()),
  q: z.preprocess(blankToUndefined, z.string().trim().max(200).optional()),
});
export type SyncLogFilters = z.infer<typeof syncLogFiltersSchema>;
