/** The rows of the main dashboards, top to bottom; each backend draws the panels it has queries for. */
import { AGENTS } from './agents';
import { ENDPOINTS } from './endpoints';
import { OVERVIEW } from './overview';
import { PACKET_FLOW } from './packet-flow';
import { POLICY } from './policy';
import type { RowDef } from './table';
import { WHO_IS_DROPPED } from './who-is-dropped';

export const MAIN_ROWS: RowDef[] = [OVERVIEW, ENDPOINTS, PACKET_FLOW, WHO_IS_DROPPED, POLICY, AGENTS];
