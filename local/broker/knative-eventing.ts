// The parts of Knative Eventing's Broker and Trigger (eventing.knative.dev/v1)
// the local broker honours, as zod schemas so a typo in the YAML (say
// `backoffPolicy: expo`) fails at load time rather than as a silent default.
// Unknown fields pass through: the cluster may use more than we do.
import { z } from 'zod';

export const EVENTING_API_VERSION = 'eventing.knative.dev/v1';

const KReference = z.looseObject({
  apiVersion: z.string().optional(),
  kind: z.string().min(1),
  name: z.string().min(1),
  namespace: z.string().optional(),
});

/** duckv1.Destination: a ref to an Addressable, a URI, or a ref plus a relative URI. */
export const Destination = z
  .looseObject({ ref: KReference.optional(), uri: z.string().min(1).optional() })
  .refine((d) => d.ref !== undefined || d.uri !== undefined, 'a destination needs ref or uri');
export type Destination = z.infer<typeof Destination>;

export const DeliverySpec = z.looseObject({
  deadLetterSink: Destination.optional(),
  retry: z.number().int().min(0).optional(),
  backoffPolicy: z.enum(['linear', 'exponential']).optional(),
  backoffDelay: z.string().optional(),
  timeout: z.string().optional(),
});
export type DeliverySpec = z.infer<typeof DeliverySpec>;

/** The `filters` dialect (Knative's SubscriptionsAPIFilter): exactly one operator per entry. */
export type SubscriptionsApiFilter = {
  exact?: Record<string, string>;
  prefix?: Record<string, string>;
  suffix?: Record<string, string>;
  all?: SubscriptionsApiFilter[];
  any?: SubscriptionsApiFilter[];
  not?: SubscriptionsApiFilter;
  cesql?: string;
};
export const SubscriptionsApiFilter: z.ZodType<SubscriptionsApiFilter> = z.lazy(() =>
  z.strictObject({
    exact: z.record(z.string(), z.string()).optional(),
    prefix: z.record(z.string(), z.string()).optional(),
    suffix: z.record(z.string(), z.string()).optional(),
    all: z.array(SubscriptionsApiFilter).optional(),
    any: z.array(SubscriptionsApiFilter).optional(),
    not: SubscriptionsApiFilter.optional(),
    cesql: z.string().optional(),
  }),
);

const ObjectMeta = z.looseObject({ name: z.string().min(1), namespace: z.string().optional() });

export const Broker = z.looseObject({
  apiVersion: z.literal(EVENTING_API_VERSION),
  kind: z.literal('Broker'),
  metadata: ObjectMeta,
  spec: z.looseObject({ delivery: DeliverySpec.optional() }).optional(),
});
export type Broker = z.infer<typeof Broker>;

export const Trigger = z.looseObject({
  apiVersion: z.literal(EVENTING_API_VERSION),
  kind: z.literal('Trigger'),
  metadata: ObjectMeta,
  spec: z.looseObject({
    broker: z.string().min(1),
    // Values are strings; YAML may hand us numbers (`reindexwindow: 3`), which
    // the cluster's API server would reject, so we do too.
    filter: z.looseObject({ attributes: z.record(z.string(), z.string()).optional() }).optional(),
    filters: z.array(SubscriptionsApiFilter).optional(),
    subscriber: Destination,
    delivery: DeliverySpec.optional(),
  }),
});
export type Trigger = z.infer<typeof Trigger>;

export type KnativeEventing = { brokers: Broker[]; triggers: Trigger[] };
