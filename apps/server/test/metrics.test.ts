import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createServerMetrics } from 'procwire-server';

describe('metrics', () => {
  it('renders counters and labelled counters in the Prometheus text format', () => {
    const metrics = createServerMetrics();
    metrics.processesStarted.inc();
    metrics.processesStarted.inc();
    metrics.processesRunning.inc();
    metrics.errors.inc(1, { code: 'not_found' });
    metrics.outputBytes.inc(5, { fd: '1' });
    const text = metrics.registry.render();
    assert.match(text, /^# TYPE procwire_processes_started_total counter$/m);
    assert.match(text, /^procwire_processes_started_total 2$/m);
    assert.match(text, /^# TYPE procwire_processes_running gauge$/m);
    assert.match(text, /^procwire_processes_running 1$/m);
    assert.match(text, /^procwire_errors_total\{code="not_found"\} 1$/m);
    assert.match(text, /^procwire_output_bytes_total\{fd="1"\} 5$/m);
    assert.match(text, /^procwire_auth_failures_total 0$/m);
    assert.ok(text.endsWith('\n'));
  });
});
