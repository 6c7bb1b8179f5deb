/**
 * A deterministic run of `count` records with a realistic mix of outcomes and
 * errors, for the large-run test and the ingest benchmark.
 */
export function makeLargeRun(count: number, runId = `large-${count}`): Record<string, unknown> {
  const titles = ['Head Chef', 'Sous Chef', 'Kitchen Porter', 'Bar Staff', 'Waiter', 'Receptionist'];
  const branches = ['London Soho', 'Manchester Piccadilly', 'Leeds Station'];
  const records = Array.from({ length: count }, (_, i) => {
    const failed = i % 10 === 0;
    const title = failed ? titles[i % titles.length]!.toLowerCase() : titles[i % titles.length]!;
    return {
      external_id: `4512_${100000 + i}`,
      action: 'create',
      outcome: failed ? 'failed' : 'succeeded',
      employee: {
        first_name: `First${i}`,
        last_name: `Last${i}`,
        email: `person${i}@example.com`,
        job_title: title,
        department: 'Kitchen',
        branch: branches[i % branches.length],
        date_of_birth: '1990-01-01',
        start_date: '2024-03-01',
        end_date: null,
      },
      messages: failed ? [{ code: 'JOB_TITLE_NOT_FOUND', field: 'job_title', text: `Job title '${title}' does not exist` }] : [],
    };
  });
  return {
    schema_version: 1,
    run_id: runId,
    source_system: 'Planday',
    target_system: 'Flow Learning',
    trigger: 'initial',
    started_at: '2026-11-21T02:00:00Z',
    finished_at: '2026-11-21T02:09:00Z',
    status: 'completed_with_errors',
    run_error: null,
    catalog: { job_titles: titles, departments: ['Kitchen'], branches },
    records,
  };
}
