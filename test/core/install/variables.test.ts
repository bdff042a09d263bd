import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TemplateManifest } from '../../../src/core/format';
import { renderText, resolveVariables } from '../../../src/core/install/installer';

const manifest: TemplateManifest = {
  id: 'demo',
  name: 'Demo',
  version: '1.0.0',
  description: '',
  category: 'documentation',
  tags: [],
  author: 'Ada',
  targetFolder: '.',
  variables: [
    { name: 'project', prompt: 'Project name', pattern: '[a-z][a-z0-9-]*' },
    { name: 'license', prompt: 'License', default: 'MIT' },
  ],
};

describe('resolveVariables', () => {
  it('takes provided values and fills in defaults', () => {
    assert.deepEqual(resolveVariables(manifest, { project: 'demo-app' }), { project: 'demo-app', license: 'MIT' });
    assert.deepEqual(resolveVariables(manifest, { project: 'x', license: 'Apache-2.0' }), { project: 'x', license: 'Apache-2.0' });
  });

  it('refuses a missing value without default, naming the variable, prompt and pattern', () => {
    assert.throws(
      () => resolveVariables(manifest, {}),
      (err: Error & { code?: string; field?: string }) =>
        err.code === 'E_FORMAT' && err.field === 'project' && /"project"/.test(err.message) && /Project name/.test(err.message) && err.message.includes('[a-z][a-z0-9-]*'),
    );
  });

  it('refuses a value that does not match the whole pattern', () => {
    for (const bad of ['Demo', 'demo app', '../etc', 'ok\n']) {
      assert.throws(
        () => resolveVariables(manifest, { project: bad }),
        (err: Error & { code?: string }) => err.code === 'E_FORMAT' && err.message.includes('Project name') && err.message.includes('[a-z][a-z0-9-]*') && err.message.includes(JSON.stringify(bad)),
        `"${bad}" must be refused`,
      );
    }
  });

  it('refuses values for variables the template does not declare', () => {
    assert.throws(() => resolveVariables(manifest, { project: 'x', projectName: 'y' }), { code: 'E_FORMAT', message: /"projectName" is not a variable of template "demo"; it declares project, license/ });
  });

  it('keeps a variable named like an Object.prototype member as data', () => {
    const m: TemplateManifest = { ...manifest, variables: [{ name: '__proto__', prompt: 'Odd', default: 'x' }, { name: 'constructor', prompt: 'Odd too' }] };
    const values = resolveVariables(m, { constructor: 'c' });
    assert.equal(Object.getPrototypeOf(values), Object.prototype);
    assert.deepEqual(Object.entries(values), [['__proto__', 'x'], ['constructor', 'c']]);
    assert.equal(renderText('{{__proto__}}/{{constructor}}', values), 'x/c');
  });
});

describe('renderText', () => {
  const values = { name: 'Ada', other: 'B' };

  it('fills {{name}} and {{ name }}', () => {
    assert.equal(renderText('Hi {{name}}, {{ name }} and {{  other }}!', values), 'Hi Ada, Ada and B!');
  });

  it('leaves ${{ … }} (GitHub Actions) and undeclared placeholders as written', () => {
    const text = 'run: echo ${{ name }} ${{ github.ref }} {{unknown}} {{ toString }} {{name}}';
    assert.equal(renderText(text, values), 'run: echo ${{ name }} ${{ github.ref }} {{unknown}} {{ toString }} Ada');
  });

  it('inserts values literally, without expanding them again', () => {
    assert.equal(renderText('{{name}}', { name: '{{other}} $& $1', other: 'no' }), '{{other}} $& $1');
  });
});
