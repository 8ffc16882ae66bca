/** Something /health/ready asks; an app registers its checks under READINESS_CHECKS. */
export interface ReadinessCheck {
  readonly name: string;
  isReady(): boolean | Promise<boolean>;
}

export const READINESS_CHECKS = Symbol('READINESS_CHECKS');
