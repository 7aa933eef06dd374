/**
 * What the routing log lines become in CloudWatch: call metrics (metric filters on the handlers'
 * log groups), saved Logs Insights queries for following a call, a dashboard and alarms.
 *
 * The filters and queries read the routing line's own fields at the top level of each log event
 * (`{"msg":"routing","route":…,"outcome":…}`). That holds when the line reaches stdout as-is; a
 * line passed to Lambda's patched `console.log` under the JSON log format is instead nested as a
 * string in `message` (see the README, "Deploying to AWS").
 */
import { Aws, Duration, Stack } from 'aws-cdk-lib';
import type { WebSocketStage } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  LogQueryWidget,
  MathExpression,
  Metric,
  TreatMissingData,
  type IMetric,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { FilterPattern, MetricFilter, QueryDefinition, QueryString, type ILogGroup, type JsonPattern } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { Outcome, RoutingLine } from '../../shared/routing-line';
import { httpRouteKey, PLATFORM_ROUTES } from '../../shared/platform-api';
import { apiOf, type FunctionDefinition, type RouteKey } from '../../shared/routes';
import type { HandlerFunction } from './handler-function';

/** The route whose decisions start calls; typed so a renamed route fails to compile here. */
const INVITATION_ROUTE: RouteKey = 'call_invitation';
/** The platform API's route that starts calls (seed 000's invite). */
const PLATFORM_INVITE_ROUTE = httpRouteKey(PLATFORM_ROUTES.callInvite);

/** The route whose `recorded` lines carry each side's end-of-call quality (`rating`, `relayed`). */
const QUALITY_ROUTE: RouteKey = 'call_quality';
const QUALITY_OUTCOME: Outcome = 'recorded';

/** The route whose lines count started calls in this function's log group, if it has one. */
function startingRoute(definition: FunctionDefinition): string | undefined {
  const { trigger } = definition;
  if (trigger.kind === 'route' && trigger.routeKey === INVITATION_ROUTE) return INVITATION_ROUTE;
  if (trigger.kind === 'http' && httpRouteKey(trigger) === PLATFORM_INVITE_ROUTE) return PLATFORM_INVITE_ROUTE;
  return undefined;
}

/** The whiteboard route whose `ringing` lines are session calls opened (a later join of an open call is `joined`). */
const SESSION_JOIN_ROUTE: RouteKey = 'session_join';
const SESSION_OPENED_OUTCOME: Outcome = 'ringing';
/** Every whiteboard function that moves a session call may end one: its `ended` lines carry the end reason as `reason`. */
const SESSION_ENDED_OUTCOME: Outcome = 'ended';

/** Outcomes of an invitation that count as a call started (a refused invitation is no call). */
const STARTED_OUTCOMES: readonly Outcome[] = ['ringing', 'declined'];

/** Field names of the log lines, checked against the handlers' log line type. */
type LineField = keyof RoutingLine | 'msg' | 'level' | 'time' | 'error';
const field = (name: LineField): string => `$.${name}`;
const ROUTING = FilterPattern.stringValue(field('msg'), '=', 'routing');
const outcomeIs = (outcome: Outcome): JsonPattern => FilterPattern.stringValue(field('outcome'), '=', outcome);

export const CALL_METRICS = {
  started: 'CallsStarted',
  answered: 'CallsAnswered',
  declined: 'CallsDeclined',
  missed: 'CallsMissed',
  goneSockets: 'GoneSockets',
  handlerFailures: 'HandlerFailures',
  /** End-of-call summaries, one per side that sent one, by `rating` (good / fair / poor). */
  qualityReports: 'CallQualityReports',
  /** Of those, the ones whose media went through a TURN relay. */
  relayedReports: 'RelayedCallQualityReports',
  /** Whiteboard session calls opened (a session's first join while none is open). */
  sessionStarted: 'SessionCallsStarted',
  /** Whiteboard session calls ended, by `reason` (ended_by_member / everyone_left / window_closed / wait_limit). */
  sessionEnded: 'SessionCallsEnded',
} as const;

/** The saved Logs Insights queries; the call_id one carries a placeholder to replace. */
export const CALL_ID_PLACEHOLDER = 'PASTE_CALL_ID_HERE';
/** What to replace with the session's id in the saved "session call by session id" query. */
export const SESSION_ID_PLACEHOLDER = 'PASTE_SESSION_ID_HERE';
export const SAVED_QUERIES = {
  callRoute: {
    name: 'call route by call_id',
    query: new QueryString({
      fields: ['@timestamp', 'route', 'outcome', 'reason', 'from', 'to', 'sockets_reached', 'gone_sockets', 'ms', 'connection_id', '@log'],
      filterStatements: ['msg = "routing"', `call_id = "${CALL_ID_PLACEHOLDER}"`],
      sort: '@timestamp asc',
      limit: 200,
    }),
  },
  offlineDeclines: {
    name: 'offline declines by callee',
    query: new QueryString({
      filterStatements: ['msg = "routing"', 'outcome = "declined"', 'reason = "offline"'],
      statsStatements: ['count(*) as offline_declines, latest(@timestamp) as last_seen, count_distinct(from) as callers by to'],
      sort: 'offline_declines desc',
      limit: 100,
    }),
  },
  errorsByCode: {
    name: 'errors by code',
    query: new QueryString({
      // Refusals carry the protocol error code in `reason`; handler failures their error name in `error`.
      filterStatements: ['(msg = "routing" and outcome = "refused") or msg = "handler_failed"'],
      fields: ['coalesce(reason, error) as code'],
      statsStatements: ['count(*) as occurrences, latest(@timestamp) as last_seen by msg, route, code'],
      sort: 'occurrences desc',
      limit: 100,
    }),
  },
  sessionCall: {
    name: 'session call by session id',
    query: new QueryString({
      fields: [
        '@timestamp',
        'route',
        'call_id',
        'outcome',
        'reason',
        'from',
        'to',
        'sockets_reached',
        'gone_sockets',
        'ms',
        'connection_id',
        '@log',
      ],
      filterStatements: ['msg = "routing"', `session_id = "${SESSION_ID_PLACEHOLDER}"`],
      sort: '@timestamp asc',
      limit: 200,
    }),
  },
  routingLatency: {
    name: 'routing latency percentiles',
    query: new QueryString({
      filterStatements: ['msg = "routing"'],
      statsStatements: [
        'count(*) as decisions, pct(ms, 50) as p50_ms, pct(ms, 90) as p90_ms, pct(ms, 99) as p99_ms, max(ms) as max_ms by route',
      ],
      sort: 'p99_ms desc',
    }),
  },
} as const;

export interface ObservabilityProps {
  readonly handlers: readonly HandlerFunction[];
  readonly stage: WebSocketStage;
  /** SNS topic ARN that alarms notify; none leaves them on the dashboard only. */
  readonly alarmTopicArn?: string;
}

interface FilterExtras {
  /** What each match adds; 1 unless a field of the line says how many. */
  readonly metricValue?: string;
  readonly dimensions?: Record<string, string>;
}

const chunksOf = <T>(items: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

/** CloudWatch alarms take at most 10 metrics in one math expression. */
const METRICS_PER_ALARM = 10;
const PERIOD = Duration.minutes(5);

export class Observability extends Construct {
  readonly namespace: string;
  readonly dashboard: Dashboard;
  readonly alarms: Alarm[] = [];
  readonly queries: QueryDefinition[] = [];

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    const stackName = Stack.of(this).stackName;
    this.namespace = `CallSignal/${stackName}`;

    this.addMetricFilters(props.handlers);
    const logGroups = props.handlers.map((handler) => handler.logGroup);
    for (const [key, saved] of Object.entries(SAVED_QUERIES)) {
      this.queries.push(
        new QueryDefinition(this, `Query${key.charAt(0).toUpperCase()}${key.slice(1)}`, {
          queryDefinitionName: `${stackName}/${saved.name}`,
          queryString: saved.query,
          logGroups,
        }),
      );
    }

    const alarmAction = props.alarmTopicArn ? new SnsAction(Topic.fromTopicArn(this, 'AlarmTopic', props.alarmTopicArn)) : undefined;
    this.addAlarms(props);
    if (alarmAction) for (const alarm of this.alarms) alarm.addAlarmAction(alarmAction);

    this.dashboard = new Dashboard(this, 'Dashboard', {
      // Dashboards are global to the account: the region keeps same-named stacks apart.
      dashboardName: `${stackName}-${Aws.REGION}`,
      defaultInterval: Duration.hours(3),
    });
    this.addWidgets(props, logGroups);
  }

  private metric(metricName: string, label: string): Metric {
    return new Metric({ namespace: this.namespace, metricName, statistic: 'Sum', period: PERIOD, label });
  }

  /** One line per reason (or another dimension), whichever values occur. */
  private byReason(metricName: string, label: string, dimension = 'reason'): MathExpression {
    return new MathExpression({
      expression: `SEARCH('{${this.namespace},${dimension}} MetricName="${metricName}"', 'Sum', ${PERIOD.toSeconds()})`,
      usingMetrics: {},
      label,
      period: PERIOD,
    });
  }

  /**
   * A call changes status only where `call_logs` is written, and sockets go missing only where
   * something is posted: the filters go on those log groups, as the function table declares them.
   */
  private addMetricFilters(handlers: readonly HandlerFunction[]): void {
    for (const handler of handlers) {
      const { logGroup } = handler;
      // A grouped function's log group holds the lines of all its routes: each filter goes on it once
      // (the union of its members' filters), or every line would be counted once per member.
      const added = new Set<string>();
      const add = (name: string, metricName: string, filterPattern: JsonPattern, extra: FilterExtras = {}) => {
        if (added.has(name)) return;
        added.add(name);
        new MetricFilter(this, `${handler.node.id}${name}`, {
          logGroup,
          metricNamespace: this.namespace,
          metricName,
          filterPattern,
          metricValue: extra.metricValue ?? '1',
          ...(extra.dimensions ? { dimensions: extra.dimensions } : {}),
        });
      };
      for (const definition of handler.members) this.addMemberFilters(definition, add);
    }
  }

  /** The filters one function table entry's lines need, whichever log group they land in. */
  private addMemberFilters(
    definition: FunctionDefinition,
    add: (name: string, metricName: string, filterPattern: JsonPattern, extra?: FilterExtras) => void,
  ): void {
    const startsCalls = startingRoute(definition);
    if (startsCalls !== undefined) {
      add(
        'Started',
        CALL_METRICS.started,
        FilterPattern.all(
          ROUTING,
          FilterPattern.stringValue(field('route'), '=', startsCalls),
          FilterPattern.any(...STARTED_OUTCOMES.map(outcomeIs)),
        ),
      );
    }
    if (definition.access.callLogs === 'readwrite') {
      add('Answered', CALL_METRICS.answered, FilterPattern.all(ROUTING, outcomeIs('answered')));
      add('Declined', CALL_METRICS.declined, FilterPattern.all(ROUTING, outcomeIs('declined')), {
        dimensions: { reason: field('reason') },
      });
      add('Missed', CALL_METRICS.missed, FilterPattern.all(ROUTING, outcomeIs('missed')), { dimensions: { reason: field('reason') } });
    }
    if (definition.access.manageConnections) {
      add('GoneSockets', CALL_METRICS.goneSockets, FilterPattern.all(ROUTING, FilterPattern.numberValue(field('gone_sockets'), '>', 0)), {
        metricValue: field('gone_sockets'),
      });
    }
    if (definition.trigger.kind === 'route' && definition.trigger.routeKey === QUALITY_ROUTE) {
      add('QualityReports', CALL_METRICS.qualityReports, FilterPattern.all(ROUTING, outcomeIs(QUALITY_OUTCOME)), {
        dimensions: { rating: field('rating') },
      });
      add(
        'RelayedReports',
        CALL_METRICS.relayedReports,
        FilterPattern.all(ROUTING, outcomeIs(QUALITY_OUTCOME), FilterPattern.booleanValue(field('relayed'), true)),
      );
    }
    const { trigger } = definition;
    if (trigger.kind === 'route' && trigger.api === 'whiteboard' && trigger.routeKey === SESSION_JOIN_ROUTE) {
      add(
        'SessionStarted',
        CALL_METRICS.sessionStarted,
        FilterPattern.all(ROUTING, FilterPattern.stringValue(field('route'), '=', SESSION_JOIN_ROUTE), outcomeIs(SESSION_OPENED_OUTCOME)),
      );
    }
    if (apiOf(definition) === 'whiteboard' && definition.access.whiteboardCalls === 'readwrite') {
      add('SessionEnded', CALL_METRICS.sessionEnded, FilterPattern.all(ROUTING, outcomeIs(SESSION_ENDED_OUTCOME)), {
        dimensions: { reason: field('reason') },
      });
    }
    add('HandlerFailures', CALL_METRICS.handlerFailures, FilterPattern.stringValue(field('msg'), '=', 'handler_failed'));
  }

  private addAlarms(props: ObservabilityProps): void {
    const sumAlarm = (id: string, description: string, metrics: readonly IMetric[]) => {
      const usingMetrics = Object.fromEntries(metrics.map((metric, i) => [`m${i}`, metric]));
      this.alarms.push(
        new Alarm(this, id, {
          alarmDescription: description,
          metric: new MathExpression({ expression: Object.keys(usingMetrics).join(' + '), usingMetrics, period: PERIOD }),
          threshold: 1,
          evaluationPeriods: 1,
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      );
    };

    const sum = { period: PERIOD, statistic: 'Sum' };
    chunksOf(props.handlers, METRICS_PER_ALARM).forEach((group, i) => {
      const names = group.map((handler) => handler.id).join(', ');
      sumAlarm(
        `FunctionErrors${i + 1}`,
        `Uncaught errors in ${names}`,
        group.map((handler) => handler.function.metricErrors(sum)),
      );
      sumAlarm(
        `FunctionThrottles${i + 1}`,
        `Throttled invocations of ${names}`,
        group.map((handler) => handler.function.metricThrottles(sum)),
      );
    });
    sumAlarm('HandlerFailuresAlarm', 'Handlers answered a frame with an internal error (handler_failed log lines)', [
      this.metric(CALL_METRICS.handlerFailures, 'handler failures'),
    ]);
    sumAlarm('IntegrationErrors', 'API Gateway could not deliver frames to a handler (integration and execution errors)', [
      props.stage.metric('IntegrationError', sum),
      props.stage.metric('ExecutionError', sum),
    ]);
  }

  private addWidgets(props: ObservabilityProps, logGroups: readonly ILogGroup[]): void {
    const stageMetric = (name: string, label: string) => props.stage.metric(name, { statistic: 'Sum', period: PERIOD, label });
    const perFunction = (metric: (handler: HandlerFunction) => IMetric) => props.handlers.map(metric);

    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Calls',
        width: 8,
        left: [
          this.metric(CALL_METRICS.started, 'started'),
          this.metric(CALL_METRICS.answered, 'answered'),
          this.byReason(CALL_METRICS.missed, 'missed'),
        ],
      }),
      new GraphWidget({ title: 'Declined, by reason', width: 8, left: [this.byReason(CALL_METRICS.declined, 'declined')] }),
      new GraphWidget({
        title: 'Gone sockets and handler failures',
        width: 8,
        left: [this.metric(CALL_METRICS.goneSockets, 'gone sockets'), this.metric(CALL_METRICS.handlerFailures, 'handler failures')],
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'WebSocket API',
        width: 12,
        left: [stageMetric('ConnectCount', 'connects'), stageMetric('MessageCount', 'messages')],
        right: [
          stageMetric('IntegrationError', 'integration errors'),
          stageMetric('ExecutionError', 'execution errors'),
          stageMetric('ClientError', 'client errors'),
        ],
      }),
      new AlarmStatusWidget({ title: 'Alarms', width: 12, alarms: this.alarms }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Call quality (end-of-call summaries, one per side), and relayed ones',
        width: 24,
        left: [this.byReason(CALL_METRICS.qualityReports, 'summaries', 'rating')],
        right: [this.metric(CALL_METRICS.relayedReports, 'relayed')],
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Handler duration p90 (ms)',
        width: 8,
        left: perFunction((handler) => handler.function.metricDuration({ statistic: 'p90', period: PERIOD, label: handler.id })),
      }),
      new GraphWidget({
        title: 'Handler errors',
        width: 8,
        left: perFunction((handler) => handler.function.metricErrors({ statistic: 'Sum', period: PERIOD, label: handler.id })),
      }),
      new GraphWidget({
        title: 'Handler throttles',
        width: 8,
        left: perFunction((handler) => handler.function.metricThrottles({ statistic: 'Sum', period: PERIOD, label: handler.id })),
      }),
    );
    this.dashboard.addWidgets(
      new LogQueryWidget({
        title: 'Routing latency by route (ms)',
        width: 12,
        height: 8,
        logGroupNames: logGroups.map((group) => group.logGroupName),
        queryString: SAVED_QUERIES.routingLatency.query.toString(),
      }),
      new LogQueryWidget({
        title: 'Errors by code',
        width: 12,
        height: 8,
        logGroupNames: logGroups.map((group) => group.logGroupName),
        queryString: SAVED_QUERIES.errorsByCode.query.toString(),
      }),
    );
  }
}
