import { describe, expect, it } from 'vitest';
import { surveyHtml, type SurveyReport } from '../../common/report/survey-html';

const base: SurveyReport = {
  siteName: 'Store 12',
  technician: 'Robin',
  createdAt: '2026-12-03T10:00:00.000Z',
  devices: [{ id: 'd1', label: '<img src=x onerror=alert(1)>', address: '10.12.0.11' }],
  checks: {
    devices: [
      {
        deviceId: 'd1',
        cleared: false,
        results: [
          {
            id: 'cpu-cores',
            title: 'At least 4 CPU cores',
            status: 'block',
            severity: 'block',
            measured: '2',
            required: '≥ 4',
            why: '',
            sourceUrl: 'https://docs.spectrocloud.com/deployment-modes/agent-mode/install-agent-host/#prerequisites',
            fix: 'Use a larger device.',
            overridable: true,
          },
        ],
      },
    ],
    plan: [],
    catalogVersion: 'test',
  },
  survey: [
    {
      deviceId: 'd1',
      checks: [
        {
          id: 'vip-free',
          title: 'The VIP is free',
          target: '10.12.0.240',
          status: 'pass',
          method: 'arping',
          detail: 'No answer.',
          fix: '',
        },
      ],
    },
  ],
  siteIssues: [{ field: 'endpoint.vip', message: 'Give the VIP.', severity: 'warn' }],
  blocks: ['<img src=x onerror=alert(1)>: At least 4 CPU cores (measured 2)'],
};

describe('the readiness report of a survey', () => {
  it('says what blocks the install, every check with its source, and escapes every value', () => {
    const h = surveyHtml(base);
    expect(h).toContain('Not ready: 1 thing block the install.');
    expect(h).toContain('At least 4 CPU cores');
    expect(h).toContain('install-agent-host/#prerequisites');
    expect(h).toContain('The VIP is free');
    expect(h).toContain('nothing (a survey only reads)');
    expect(h).not.toContain('<img');
    expect(h).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(h).not.toMatch(/<script/i);
  });

  it('a survey with nothing blocking says so', () => {
    expect(surveyHtml({ ...base, blocks: [] })).toContain('Ready to install: nothing blocks it.');
  });
});
