"use client";

/** Generate Audit Report: the PDF to hand on, or the ZIP with the decisions, the snapshot and the ledger proof. */
import { ChevronDown, FileText } from "lucide-react";
import { Button } from "@/components/ui/button";
import { DropdownMenu, DropdownMenuContent, DropdownMenuItem, DropdownMenuTrigger } from "@/components/ui/dropdown-menu";

export function ReportMenu({ campaignId }: { campaignId: string }) {
  const href = (format: "pdf" | "zip") => `/api/campaigns/${campaignId}/report?format=${format}`;
  return (
    <DropdownMenu>
      <DropdownMenuTrigger asChild>
        <Button>
          <FileText aria-hidden="true" /> Generate Audit Report <ChevronDown aria-hidden="true" />
        </Button>
      </DropdownMenuTrigger>
      <DropdownMenuContent align="start">
        <DropdownMenuItem asChild>
          <a href={href("pdf")} download>
            PDF report
          </a>
        </DropdownMenuItem>
        <DropdownMenuItem asChild>
          <a href={href("zip")} download>
            ZIP: decisions CSV, snapshot, evidence manifest, ledger proof
          </a>
        </DropdownMenuItem>
      </DropdownMenuContent>
    </DropdownMenu>
  );
}
