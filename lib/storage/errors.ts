/** The errors both drivers answer with. */
import { AppError } from "@/lib/errors";

export function notFound(key: string): AppError {
  return new AppError("not_found:object", `No object stored under "${key}"`);
}

export function unavailable(message: string, cause: unknown): AppError {
  const error = new AppError("unavailable:object_store", message);
  error.cause = cause;
  return error;
}
