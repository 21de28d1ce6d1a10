import {
  BookLock,
  Building,
  ClipboardCheck,
  KeyRound,
  ListChecks,
  LayoutDashboard,
  Plug,
  ScrollText,
  UserCog,
  Users,
  Workflow,
  type LucideIcon,
} from "lucide-react";

import type { NavIconName } from "./types";

export const NAV_ICONS: Record<NavIconName, LucideIcon> = {
  home: LayoutDashboard,
  integrations: Plug,
  campaigns: ClipboardCheck,
  provisioning: UserCog,
  pipeline: Workflow,
  synclogs: ListChecks,
  ledger: BookLock,
  audit: ScrollText,
  keys: KeyRound,
  members: Users,
  tenants: Building,
};
