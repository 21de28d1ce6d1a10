/** What the accounts list accepts from its query string. Client-safe. */
import "@/lib/zod-browser";
import { z } from "zod";

export const ACCOUNT_PAGE_SIZE = 50;

export const accountListSchema = z.object({
  /** Part of the username, email, display name or external id. */
  q: z.string().trim().max(200, "must be at most 200 characters").optional(),
  /** Keyset cursor: the last row of the previous page. */
  after: z.string().max(4096).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(ACCOUNT_PAGE_SIZE),
});
export type AccountListInput = z.input<typeof accountListSchema>;
