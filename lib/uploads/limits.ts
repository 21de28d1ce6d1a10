/** Upload limits and accepted evidence types, shared by the browser and the server. Client-safe. */
export const MAX_EVIDENCE_FILES = 10;
export const EVIDENCE_MAX_BYTES = 25 * 1024 * 1024;
export const EVIDENCE_EXTENSIONS = [".pdf", ".png", ".jpg", ".jpeg", ".csv", ".json", ".xlsx", ".xls", ".docx", ".doc"] as const;
export const EVIDENCE_ACCEPT = EVIDENCE_EXTENSIONS.join(",");
