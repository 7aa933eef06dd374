import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CALL_ID_PLACEHOLDER, CALL_METRICS, SAVED_QUERIES } from '../../infra/aws/observability';
import { OUTPUTS } from '../../infra/aws/signaling-stack';
import { FUNCTIONS, apiOf } from '../../shared/routes';
import { resourcesOfType, STACK_NAME, synthesize, type Synthesized } from './support/synth';

let synth: Synthesized;
beforeAll(() => {
  synth = synthesize();
});
afterAll(() => synth?.cleanup());

const handlerLogGroupIds = () => synth.stack.handlers.all.map((handler) => synth.logicalId(handler.logGroup));
const filters = () => Object.values(resourcesOfType(synth.template, 'AWS::Logs::MetricFilter')).map((filter) => filter.Properties);
const filtersFor = (metricName: string) =>
  filters().filter((filter) => (filter.MetricTransformations as Array<{ MetricName: string }>)[0]!.MetricName === metricName);
const logGroupOf = (filter: Record<string, unknown>) => (filter.LogGroupName as { Ref: string }).Ref;

describe('saved Logs Insights queries', () => {
  it('saves the four call-routing queries, each over every handler log group', () => {
    const definitions = Object.values(resourcesOfType(synth.template, 'AWS::Logs::QueryDefinition')).map((query) => query.Properties);
    expect(definitions.map((query) => query.Name).sort()).toEqual(
      Object.values(SAVED_QUERIES)
        .map((saved) => `${STACK_NAME}/${saved.name}`)
        .sort(),
    );
    for (const query of definitions) {
      expect((query.LogGroupNames as Array<{ Ref: string }>).map((group) => group.Ref).sort(), String(query.Name)).toEqual(
        handlerLogGroupIds().sort(),
      );
    }
  });

  it('reads the routing line fields: call_id, outcome, reason, to, ms', () => {
    const text = (name: string) =>
      String(
        Object.values(resourcesOfType(synth.template, 'AWS::Logs::QueryDefinition')).find(
          (query) => query.Properties.Name === `${STACK_NAME}/${name}`,
        )!.Properties.QueryString,
      );
    expect(text(SAVED_QUERIES.callRoute.name)).toContain(`call_id = "${CALL_ID_PLACEHOLDER}"`);
    expect(text(SAVED_QUERIES.callRoute.name)).toContain('sort @timestamp asc');
    expect(text(SAVED_QUERIES.offlineDeclines.name)).toMatch(/outcome = "declined"[\s\S]*reason = "offline"[\s\S]*by to/);
    expect(text(SAVED_QUERIES.errorsByCode.name)).toContain('outcome = "refused"');
    expect(text(SAVED_QUERIES.errorsByCode.name)).toContain('msg = "handler_failed"');
    expect(text(SAVED_QUERIES.routingLatency.name)).toMatch(/pct\(ms, 50\)[\s\S]*pct\(ms, 99\)[\s\S]*by route/);
  });
});

describe('call metrics', () => {
  it("counts calls started on the invitation handler and the platform's invite only: ringing or declined ones", () => {
    const started = filtersFor(CALL_METRICS.started);
    const logGroup = (id: string) => synth.logicalId(synth.stack.handlers.functions.get(id)!.logGroup);
    expect(started.map(logGroupOf)).toEqual([logGroup('call-invitation'), logGroup('platform-call-invite')]);
    expect(started.map((filter) => filter.FilterPattern)).toEqual(
      ['call_invitation', 'POST /v1/calls/invite'].map(
        (route) => `{ ($.msg = "routing") && ($.route = "${route}") && (($.outcome = "ringing") || ($.outcome = "declined")) }`,
      ),
    );
  });

  it('counts answered calls, declines and missed calls by reason wherever call_logs is written', () => {
    const writers = FUNCTIONS.filter((definition) => definition.access.callLogs === 'readwrite').map((definition) =>
      synth.logicalId(synth.stack.handlers.functions.get(definition.id)!.logGroup),
    );
    for (const [metric, outcome] of [
      [CALL_METRICS.answered, 'answered'],
      [CALL_METRICS.declined, 'declined'],
      [CALL_METRICS.missed, 'missed'],
    ] as const) {
      const found = filtersFor(metric);
      expect(found.map(logGroupOf).sort(), metric).toEqual([...writers].sort());
      for (const filter of found) expect(filter.FilterPattern).toBe(`{ ($.msg = "routing") && ($.outcome = "${outcome}") }`);
    }
    for (const filter of [...filtersFor(CALL_METRICS.declined), ...filtersFor(CALL_METRICS.missed)]) {
      expect((filter.MetricTransformations as Array<{ Dimensions: unknown }>)[0]!.Dimensions).toEqual([
        { Key: 'reason', Value: '$.reason' },
      ]);
    }
  });

  it('sums gone sockets from every handler that posts, and counts handler failures everywhere', () => {
    const posters = FUNCTIONS.filter((definition) => definition.access.manageConnections);
    const gone = filtersFor(CALL_METRICS.goneSockets);
    expect(gone).toHaveLength(posters.length);
    for (const filter of gone) {
      expect((filter.MetricTransformations as Array<{ MetricValue: string }>)[0]!.MetricValue).toBe('$.gone_sockets');
    }
    expect(filtersFor(CALL_METRICS.handlerFailures).map(logGroupOf).sort()).toEqual(handlerLogGroupIds().sort());
  });
});

describe('session call metrics', () => {
  it('count session calls opened on the session_join handler only, and ended by end reason wherever a session call is moved', () => {
    const logGroup = (id: string) => synth.logicalId(synth.stack.handlers.functions.get(id)!.logGroup);
    const started = filtersFor(CALL_METRICS.sessionStarted);
    expect(started.map(logGroupOf)).toEqual([logGroup('session-join')]);
    expect(started[0]!.FilterPattern).toBe('{ ($.msg = "routing") && ($.route = "session_join") && ($.outcome = "ringing") }');

    const movers = FUNCTIONS.filter(
      (definition) => apiOf(definition) === 'whiteboard' && definition.access.whiteboardCalls === 'readwrite',
    );
    expect(movers.map((definition) => definition.id)).toEqual(
      expect.arrayContaining(['session-join', 'session-leave', 'session-end', 'session-sweeper']),
    );
    const ended = filtersFor(CALL_METRICS.sessionEnded);
    expect(ended.map(logGroupOf).sort()).toEqual(movers.map((definition) => logGroup(definition.id)).sort());
    for (const filter of ended) {
      expect(filter.FilterPattern).toBe('{ ($.msg = "routing") && ($.outcome = "ended") }');
      expect((filter.MetricTransformations as Array<{ Dimensions: unknown }>)[0]!.Dimensions).toEqual([
        { Key: 'reason', Value: '$.reason' },
      ]);
    }
    // No chat function counts session calls.
    const chatLogGroups = FUNCTIONS.filter((definition) => apiOf(definition) === 'chat').map((definition) => logGroup(definition.id));
    for (const filter of [...started, ...ended]) expect(chatLogGroups).not.toContain(logGroupOf(filter));
  });
});

describe('call quality metrics', () => {
  it("count each side's recorded end-of-call summary by rating, and the relayed ones, from the call_quality handler only", () => {
    const qualityLogGroup = synth.logicalId(synth.stack.handlers.functions.get('call-quality')!.logGroup);
    const reports = filtersFor(CALL_METRICS.qualityReports);
    expect(reports.map(logGroupOf)).toEqual([qualityLogGroup]);
    expect(reports[0]!.FilterPattern).toBe('{ ($.msg = "routing") && ($.outcome = "recorded") }');
    expect((reports[0]!.MetricTransformations as Array<{ Dimensions: unknown; MetricValue: string }>)[0]).toMatchObject({
      Dimensions: [{ Key: 'rating', Value: '$.rating' }],
      MetricValue: '1',
    });
    const relayed = filtersFor(CALL_METRICS.relayedReports);
    expect(relayed.map(logGroupOf)).toEqual([qualityLogGroup]);
    expect(relayed[0]!.FilterPattern).toBe('{ ($.msg = "routing") && ($.outcome = "recorded") && ($.relayed IS TRUE) }');
  });

  it('are graphed on the dashboard, summaries by rating next to the relayed ones', () => {
    const dashboard = JSON.stringify(resourcesOfType(synth.template, 'AWS::CloudWatch::Dashboard'));
    expect(dashboard).toMatch(new RegExp(`,rating\\}.*${CALL_METRICS.qualityReports}`));
    expect(dashboard).toContain(CALL_METRICS.relayedReports);
  });
});

describe('alarms, dashboard and outputs', () => {
  it('alarms on handler errors and throttles of every function, handler failures and integration errors', () => {
    const alarms = Object.values(resourcesOfType(synth.template, 'AWS::CloudWatch::Alarm')).map((alarm) =>
      JSON.stringify(alarm.Properties),
    );
    for (const handler of synth.stack.handlers.all) {
      const fn = synth.logicalId(handler.function);
      const mentioning = alarms.filter((alarm) => alarm.includes(`"${fn}"`));
      expect(
        mentioning.some((alarm) => alarm.includes('"Errors"')),
        `${handler.definition.id} errors`,
      ).toBe(true);
      expect(
        mentioning.some((alarm) => alarm.includes('"Throttles"')),
        `${handler.definition.id} throttles`,
      ).toBe(true);
    }
    expect(alarms.some((alarm) => alarm.includes(`"${CALL_METRICS.handlerFailures}"`))).toBe(true);
    expect(alarms.some((alarm) => alarm.includes('"IntegrationError"') && alarm.includes('"ExecutionError"'))).toBe(true);
    // CloudWatch refuses math alarms over more than 10 metrics.
    for (const alarm of Object.values(resourcesOfType(synth.template, 'AWS::CloudWatch::Alarm'))) {
      const metrics = (alarm.Properties.Metrics ?? []) as Array<{ MetricStat?: unknown }>;
      expect(metrics.filter((metric) => metric.MetricStat).length).toBeLessThanOrEqual(10);
    }
  });

  it("outputs the website URL, WebSocket URL, secret ARN, dashboard name and the platform API's URL and invoke policy", () => {
    const outputs = synth.template.toJSON().Outputs as Record<string, { Value: unknown }>;
    // The platform role exists only when a principal may assume it (`platformPrincipalArn`), the TURN
    // secret only when TURN REST is chosen (`turn=rest`).
    expect(Object.keys(outputs).sort()).toEqual(
      Object.values(OUTPUTS)
        .filter((name) => name !== OUTPUTS.platformRoleArn && name !== OUTPUTS.turnSecretArn)
        .sort(),
    );
    expect(JSON.stringify(outputs[OUTPUTS.webSocketUrl]!.Value)).toContain('wss://');
    expect(outputs[OUTPUTS.signingSecretArn]!.Value).toEqual({ Ref: synth.logicalId(synth.stack.signingSecret.secret) });
    expect(outputs[OUTPUTS.dashboardName]!.Value).toEqual({ Ref: synth.logicalId(synth.stack.observability.dashboard) });
    expect(JSON.stringify(outputs[OUTPUTS.websiteUrl]!.Value)).toContain(synth.logicalId(synth.stack.web.distribution));
  });
});
