// The Overview's numbers as the backend's GET overview answers them (pkg/loki/overview.go).
import { type AuditEvent } from './auditEvent';

export interface OverviewStats {
  total: number;
  criticalAndError: number;
  warnings: number;
  activeUsers: number;
  byCategory: Array<{ category: string; count: number }>;
  bySeverity: Record<string, number>;
  topEventTypes: Array<{ eventType: string; count: number }>;
  overTime: { stepMs: number; series: Array<{ category: string; points: Array<[number, number]> }> };
  recentHighSeverity: AuditEvent[];
  /** Whole days read from the backend's daily counts (the rest was counted live). */
  dailyCountDays?: number;
}
