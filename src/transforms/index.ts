export { buildTransformChain, TransformChain, TransformConfigError, transformKeyIssues, type TransformStage } from './chain.ts';
export { PREDICATE_PLUGINS } from './predicates.ts';
export { findPredicatePlugin, findTransformPlugin, TRANSFORM_PLUGINS } from './registry.ts';
export { TransformError, type Predicate, type PredicatePlugin, type Transformation, type TransformPlugin } from './types.ts';
