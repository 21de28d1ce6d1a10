import { AppError } from "@/lib/errors";

/** A position or file index from the path: a small whole number, else the thing does not exist. */
export function indexParam(value: unknown, what: string): number {
  const s = String(value);
  if (!/^\d{1,4}$/.test(s)) throw new AppError(`not_found:${what}`, `No such ${what.replace(/_/g, " ")} in this campaign.`);
  return Number(s);
}
