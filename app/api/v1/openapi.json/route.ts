/** GET /api/v1/openapi.json — the API description, public. */
import { NextResponse } from "next/server";
import { openApiDocument } from "@/lib/openapi/document";

export const dynamic = "force-static";

export function GET() {
  return NextResponse.json(openApiDocument());
}
