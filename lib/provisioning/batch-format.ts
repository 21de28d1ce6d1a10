/**
 * The layout of a batch provisioning CSV, shared by the upload form (its help
 * text and template) and lib/provisioning/batch.ts, which reads it. Client-safe.
 */
export const BATCH_COLUMNS = [
  "action",
  "username",
  "external_id",
  "group",
  "group_name",
  "email",
  "display_name",
  "given_name",
  "family_name",
  "title",
  "department",
  "expires_at",
] as const;
export type BatchColumn = (typeof BATCH_COLUMNS)[number];
export const REQUIRED_BATCH_COLUMNS = ["action", "username"] as const satisfies readonly BatchColumn[];

/** The columns that set an account field on create and update, and the field each one sets. */
export const BATCH_ATTRIBUTE_COLUMNS = {
  email: "email",
  display_name: "displayName",
  given_name: "givenName",
  family_name: "familyName",
  title: "title",
  department: "department",
} as const satisfies Partial<Record<BatchColumn, string>>;

export const MAX_BATCH_ROWS = 10_000;
export const MAX_BATCH_BYTES = 5 * 1024 * 1024;

/** A file to start from: one row of each kind of operation. */
export const BATCH_TEMPLATE = `${BATCH_COLUMNS.join(",")}
create,jdoe,,,,jdoe@example.com,Jane Doe,Jane,Doe,Engineer,R&D,
update,jdoe,,,,,,,,Senior Engineer,,
grant,jdoe,,cn=staff,Staff,,,,,,,2027-01-31
revoke,jdoe,,cn=contractors,,,,,,,,
disable,asmith,,,,,,,,,,
`;
