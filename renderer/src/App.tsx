import { useEffect } from 'react';
import { LogPanel } from './components/LogPanel';
import { StepRail } from './components/StepRail';
import { ThemePicker } from './components/ThemePicker';
import { DevicesStep } from './steps/devices/DevicesStep';
import { CheckStep } from './steps/check/CheckStep';
import { PlanStep } from './steps/plan/PlanStep';
import { SiteStep } from './steps/site/SiteStep';
import { InstallStep } from './steps/install/InstallStep';
import { VisitStep } from './steps/visit/VisitStep';
import { ReportStep } from './steps/report/ReportStep';
import { UpgradeStep } from './steps/upgrade/UpgradeStep';
import { useStore, type StepId } from './store';

export function App() {
  // One selector each: the shell must not render again for every log line or run event (a rack streams many).
  const visit = useStore((s) => s.visit);
  const step = useStore((s) => s.step);
  const fatal = useStore((s) => s.fatal);
  const init = useStore((s) => s.init);
  const actionError = useStore((s) => s.actionError);
  const showError = useStore((s) => s.showError);
  useEffect(() => {
    void init();
  }, [init]);

  if (fatal) {
    return (
      <main className="app-fatal" role="alert">
        <h1>The installer service is not reachable</h1>
        <p>{fatal}</p>
      </main>
    );
  }
  if (!visit)
    return (
      <main className="app-loading" aria-busy="true">
        Loading…
      </main>
    );

  const canEnter = (s: StepId) =>
    // Later steps open once a device has been connected (and read); a device rebooting keeps them open.
    s === 'visit' ||
    (!!visit.siteName &&
      !!visit.technician &&
      (s === 'devices' || s === 'report' || visit.devices.some((d) => d.state === 'connected' || d.facts)));

  return (
    <div className="app">
      <header className="topbar">
        <span className="brand">Edge Agent Installer</span>
        <span className="muted">{visit.siteName ? `${visit.siteName} · ${visit.technician}` : 'New site visit'}</span>
        <ThemePicker />
      </header>
      <StepRail canEnter={canEnter} />
      <main className="content" id="main">
        <RunBanner />
        {actionError && (
          <p className="notice notice-warn" role="alert" data-testid="action-error">
            {actionError}{' '}
            <button type="button" className="link" onClick={() => showError('')}>
              Dismiss
            </button>
          </p>
        )}
        {step === 'visit' && <VisitStep />}
        {step === 'devices' && <DevicesStep />}
        {step === 'check' && <CheckStep />}
        {step === 'plan' && <PlanStep />}
        {step === 'site' && <SiteStep />}
        {step === 'install' && <InstallStep />}
        {step === 'upgrade' && <UpgradeStep />}
        {step === 'report' && <ReportStep />}
      </main>
      <LogPanel />
    </div>
  );
}

/** A run keeps going while the technician looks at another step: a line to get back to its board. */
function RunBanner() {
  const step = useStore((s) => s.step);
  const setStep = useStore((s) => s.setStep);
  const install = useStore((s) => s.installRun);
  const upgrade = useStore((s) => s.upgradeRun);
  if (install && !install.finished && step !== 'install') {
    const done = install.devices.filter((d) => d.phase === 'done').length;
    const failed = install.devices.filter((d) => d.phase === 'failed').length;
    return (
      <p className="notice" role="status" data-testid="run-banner">
        An install is running: {done} of {install.devices.length} done{failed ? `, ${failed} need you` : ''}.{' '}
        <button type="button" className="link" onClick={() => setStep('install')}>
          Show the board
        </button>
      </p>
    );
  }
  if (upgrade && upgrade.stage === 'running' && step !== 'upgrade')
    return (
      <p className="notice" role="status" data-testid="run-banner">
        An upgrade is running.{' '}
        <button type="button" className="link" onClick={() => setStep('upgrade')}>
          Show it
        </button>
      </p>
    );
  return null;
}
