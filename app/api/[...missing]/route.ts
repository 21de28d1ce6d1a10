/**
 * An API path no route claims answers 404 in the API's own error shape, not
 * with the app's HTML not-found page (app/(app)/[...missing] would take it otherwise).
 */
import { errorResponse } from "@/lib/api/handler";
import { AppError } from "@/lib/errors";

function missing() {
  return errorResponse(new AppError("not_found:route", "There is no API route at this path."));
}

export const GET = missing;
export const POST = missing;
export const PUT = missing;
export const PATCH = missing;
export const DELETE = missing;
