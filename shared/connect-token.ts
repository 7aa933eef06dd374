/** The query string parameter holding the JWT on connect (the API's identity source). Apart from the function table, so the web client does not bundle that table. */
export const TOKEN_QUERY_PARAMETER = 'token';
