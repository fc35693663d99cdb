import { useState } from 'react';

import {
  type ReportDraft,
  type ReportTypes,
  createSchedule,
  draftProblems,
  generateReport,
  newDraft,
  scheduleOfDraft,
  specOfDraft,
} from 'services/reportsApi';

import { type ScheduleChoice } from './ScheduleFields';

/**
 * The Generate Report form's state: the draft and its schedule, the problems shown once Generate was
 * pressed, and submit, which starts the report or makes the schedule.
 */
export function useReportDraft(types: ReportTypes, onGenerated: () => void) {
  const [draft, setDraft] = useState<ReportDraft>(() => newDraft());
  const [schedule, setSchedule] = useState<ScheduleChoice>({ repeat: 'once', contactPoints: [], runLastPeriod: false });
  const once = schedule.repeat === 'once';
  const [tried, setTried] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const all = draftProblems(draft, types.retentionDays);
  // A repeating report has no dates of its own: each run covers the period that has just ended.
  const problems: typeof all = once
    ? all
    : Object.fromEntries(Object.entries(all).filter(([field]) => field === 'type' || field === 'name'));
  const shown = tried ? problems : {};
  const type = types.types.find((x) => x.id === draft.type);

  const submit = async () => {
    setTried(true);
    if (Object.keys(problems).length > 0) {
      return;
    }
    setBusy(true);
    try {
      if (schedule.repeat === 'once') {
        await generateReport(specOfDraft(draft));
      } else {
        await createSchedule(scheduleOfDraft(draft, schedule.repeat, schedule.contactPoints, schedule.runLastPeriod));
      }
      onGenerated();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return { draft, setDraft, schedule, setSchedule, once, shown, type, busy, error, submit };
}
