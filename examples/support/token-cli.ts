/**
 * A stand-in for a CLI that prints a token (`gcloud auth print-access-token`, `az account
 * get-access-token -o json`, `vault read -format=json …`): Node code for `node -e` that asks the
 * token endpoint in `TOKEN_URL` for a client credentials token with the `api:read` scope,
 * authenticating with `CLIENT_ID` and `CLIENT_SECRET`, and prints the JSON answer.
 */
export const printTokenScript: string = `
const { TOKEN_URL, CLIENT_ID, CLIENT_SECRET } = process.env
fetch(TOKEN_URL, {
  method: 'POST',
  headers: { authorization: 'Basic ' + btoa(CLIENT_ID + ':' + CLIENT_SECRET) },
  body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'api:read' }),
})
  .then(async (res) => {
    if (!res.ok) throw new Error('the token endpoint answered ' + res.status)
    process.stdout.write(await res.text())
  })
  .catch((error) => {
    console.error(error.message)
    process.exit(1)
  })
`
