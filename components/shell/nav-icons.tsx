import {
  BookLock,
  Building,
  ClipboardCheck,
  KeyRound,
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
  ledger: BookLock,
  audit: ScrollText,
  keys: KeyRound,
  members: Users,
  tenants: Building,
};
