/** Turns zod failures into the application's error with per-field messages. */
import type { z } from "zod";
import { AppError } from "./errors";

export function fieldErrorsOf(error: z.ZodError): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const issue of error.issues) {
    const key = issue.path.length ? issue.path.map(String).join(".") : "form";
    (out[key] ??= []).push(issue.message);
  }
  return out;
}

export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const fieldErrors = fieldErrorsOf(result.error);
  const [field, messages] = Object.entries(fieldErrors)[0];
  const message = field === "form" ? messages[0] : `${field}: ${messages[0]}`;
  throw new AppError("unprocessable:validation", message, fieldErrors);
}
