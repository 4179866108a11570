// The changelog preset of `lerna version --conventional-commits` (lerna.json `changelogPreset`):
// conventional-changelog-angular, except that a release heading links to a compare view only when
// the repository has a browsable URL. Without a remote, angular writes `## [0.2.1](/compare/...)`,
// a dead link; here the heading is then the plain `## 0.2.1 (date)`.
import createAngularPreset from 'conventional-changelog-angular';

const header = `{{#if isPatch~}}
  ##
{{~else~}}
  #
{{~/if}} {{#if @root.repoUrl~}}
{{#if @root.linkCompare~}}
  [{{version}}]({{@root.repoUrl}}/compare/{{previousTag}}...{{currentTag}})
{{~else~}}
  {{version}}
{{~/if~}}
{{~else~}}
  {{version}}
{{~/if}}
{{~#if title}} "{{title}}"
{{~/if}}
{{~#if date}} ({{date}})
{{/if}}
`;

/** Angular's preset with the guarded release heading. */
export default async function createPreset() {
  const preset = await createAngularPreset();
  const writerOpts = { ...preset.writerOpts, headerPartial: header };
  return { ...preset, writerOpts, conventionalChangelog: { ...preset.conventionalChangelog, writerOpts } };
}
