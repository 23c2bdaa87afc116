// Starts GOV.UK Frontend. Kept in a file (not inline) because the Content Security Policy
// forbids inline script. A browser that runs ES modules supports GOV.UK Frontend, so the
// classes GOV.UK's own template sets inline are set here instead.
document.body.classList.add('js-enabled', 'govuk-frontend-supported')
const src = document.querySelector('script[data-govuk-frontend]').dataset.govukFrontend
const { initAll } = await import(src)
initAll()
