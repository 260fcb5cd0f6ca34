/**
 * The canary-analysis judge: pure functions (no I/O, deterministic) that
 * compare a canary cohort with the stable cohort and say pass / fail /
 * inconclusive per check, with the figures behind each decision.
 * README.md in this folder documents the methods and defaults.
 */

export type {
  Cell,
  CheckName,
  CheckResult,
  CheckSummary,
  LatencyCounts,
  LatencyQuantile,
  QuantileSet,
  ReasonCode,
  SampleSize,
  Status,
  StratumQuantiles,
  SummaryUnit,
  Verdict,
} from "./types";
export { LATENCY_QUANTILES, QUANTILE_LEVELS } from "./types";
export type { JudgeSettings, JudgeSettingsInput } from "./settings";
export { DEFAULT_JUDGE_SETTINGS, resolveJudgeSettings } from "./settings";
export { checkErrorRateAbsolute, checkErrorRateRelative } from "./error-rate";
export { checkLatency, limitThreshold, quantileLevels, QUANTILE_SPREAD } from "./latency";
export { checkSampleRatio } from "./sample-ratio";
export { overallVerdict } from "./verdict";
export type { JudgeInput, Judgement } from "./judge";
export { judgeCanary } from "./judge";
export { betaBinomialBounds, mixtureCriticalValue, mixtureHalfWidth } from "./sequential";
export { clusterVariance, effectiveSize } from "./strata";
export { chiSquareSurvival, normalCdf } from "./stats";
