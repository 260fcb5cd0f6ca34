/** Cohort names, as the contract fixes them. */
export const COHORT_NAME = /^[a-z0-9][a-z0-9_-]{0,31}$/;

/** The baseline cohort: where traffic goes when anything is in doubt. */
export const STABLE = "stable";
