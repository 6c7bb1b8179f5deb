/** The most fields a page's form may post (body-parser's parameterLimit); no feedlog form comes near it. */
export const FORM_FIELD_LIMIT = 50;
