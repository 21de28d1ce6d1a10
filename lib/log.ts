/** Structured logging. Secrets never pass through here: callers log ids, not payloads. */
import pino from "pino";

export const log = pino({
  level: process.env.LOG_LEVEL ?? "info",
  redact: {
    paths: ["*.password", "*.secret", "*.token", "*.authorization", "*.bindPassword", "*.apiKey"],
    censor: "[redacted]",
  },
});
