import type { HostFacts } from './host-facts';
import type { AppErrorShape } from '../errors';
import type { DeviceIntake } from '../devices/identity';
import type { Plan } from '../plan/model';
import type { Override } from '../requirements/evaluate';
import type { SiteConfig } from '../site/model';

export type AuthMethod = 'password' | 'key' | 'agent' | 'keyboard-interactive';

export interface SshEndpoint {
  host: string;
  port: number;
  user: string;
  auth: AuthMethod;
  /** Path to a private key on the machine running the services (for auth 'key'). */
  keyPath?: string;
}

export type ConnectionSpec = ({ kind: 'ssh'; jump?: SshEndpoint } & SshEndpoint) | { kind: 'local' };

/** Secrets for one connect attempt: used, then forgotten (kept in main's memory for the session only). */
export interface ConnectSecrets {
  password?: string;
  passphrase?: string;
  sudoPassword?: string;
  jumpPassword?: string;
  jumpPassphrase?: string;
}

export type Privilege =
  | 'root'
  | 'sudo-nopasswd'
  | 'sudo-password' // sudo works with the password the technician gave
  | 'sudo-needs-password'
  | 'no-sudo'
  | 'unknown';

export type ConnectionState = 'new' | 'connecting' | 'connected' | 'needs-trust' | 'failed' | 'disconnected';

export interface HostKeyInfo {
  hop: 'target' | 'jump';
  host: string;
  port: number;
  keyType: string;
  fingerprint: string; // SHA256:... as OpenSSH prints it
}

export interface DeviceView {
  id: string;
  label: string;
  connection: ConnectionSpec;
  state: ConnectionState;
  privilege: Privilege;
  /** The key we trusted for this device (after connect). */
  hostKey?: HostKeyInfo;
  /** A key that needs the technician's confirmation before anything is sent. */
  pendingHostKey?: HostKeyInfo;
  error?: AppErrorShape;
  facts?: HostFacts;
  probing?: boolean;
  /** What the customer's device list says about this box (identity compared at first contact, and its names). */
  intake?: DeviceIntake;
}

export interface VisitView {
  siteName: string;
  technician: string;
  devices: DeviceView[];
  plan: Plan;
  /** Blocks the technician chose to pass, each with its reason and who decided. */
  overrides: Override[];
  /** Site properties (never secrets: those stay in main's memory). */
  site: SiteConfig;
}
