import { describe, expect, it } from 'vitest';
import { LabError } from '../../src/errors.js';
import { defaultNet, labPlan } from '../../src/lab/lab-plan.js';

describe('labPlan', () => {
  it('derives every name and address from the lab name and network index', () => {
    const p = labPlan('demo', 200, 300, '/tmp/labs');
    expect(p.dir).toBe('/tmp/labs/demo');
    expect([p.switchNs, p.upstreamNs, p.rootIf]).toEqual(['demo-sw', 'demo-up', 'demo-c']);
    expect([p.controllerAddress, p.upstreamAddress, p.internetAddress]).toEqual(['10.200.0.1', '10.200.0.2', '10.200.128.1']);
    expect([p.vmNs(1), p.vmName(1), p.vmAddress(1)]).toEqual(['demo-h1', 'vm1', '10.200.0.10']);
    // past 255 the third octet moves on; all VMs stay inside the /17 the controller routes
    expect(p.vmAddress(300)).toBe('10.200.1.53');
    expect(p.vmAddress(30000)).toBe('10.200.117.57');
  });

  it('keeps interface names within 15 bytes for the longest lab name', () => {
    const p = labPlan('abcdefgh', 1, 1);
    expect(Buffer.byteLength(p.rootIf)).toBeLessThanOrEqual(15);
  });

  it('refuses names and numbers that would leave its prefix or its network', () => {
    expect(() => labPlan('Bad-Name', 1, 1)).toThrow(LabError);
    expect(() => labPlan('toolongname', 1, 1)).toThrow(/1-8/);
    expect(() => labPlan('x', 0, 1)).toThrow(/1-254/);
    expect(() => labPlan('x', 255, 1)).toThrow(/1-254/);
    expect(() => labPlan('x', 1, -1)).toThrow(LabError);
    expect(() => labPlan('x', 1, 1.5)).toThrow(LabError);
  });

  it('gives different default networks to different names, in 150-249', () => {
    const nets = ['cnetlab', 'e2eseed', 'e2efail', 'a', 'b'].map(defaultNet);
    for (const n of nets) {
      expect(n).toBeGreaterThanOrEqual(150);
      expect(n).toBeLessThan(250);
    }
    expect(new Set(nets).size).toBe(nets.length);
  });
});
