"""Interface strings of the storefront, in Russian and English.

Templates call ``_("key", **kwargs)``, which returns ``STRINGS[lang][key].format(**kwargs)``:
placeholders are ``{name}`` and every placeholder of a string must be given (a missing key or
argument raises, so a typo fails the build instead of printing nothing). Both languages have the same
keys and the same placeholders (``tests/test_theme.py`` checks it). Strings are plain text: the
template autoescapes them.

Counts avoid plural forms on purpose ("Товаров: 5", not "5 товаров"), so one string fits every
number in both languages.

Strings used by the theme's scripts are rendered into ``data-*`` attributes with a literal
placeholder left in (``_("filter_count", n="{n}")`` gives ``"Найдено товаров: {n}"``); the script
replaces it.

Some keys are for the renderer rather than the templates: ``home``, ``brands``, ``shops``
(breadcrumbs, index titles), ``ad`` (``AdLabel.text``), ``page_n`` (titles of page 2, 3, ...),
``search``, ``not_found``, ``disclosure`` (titles), ``*_description`` (meta descriptions; use
``product_description_gone`` for gone products, which have no price), ``chart_summary``.
"""

from __future__ import annotations

from collections.abc import Callable

STRINGS: dict[str, dict[str, str]] = {
    "ru": {
        # layout
        "og_locale": "ru_RU",
        "skip_to_content": "Перейти к содержанию",
        # for the renderer (page titles, descriptions, breadcrumbs, AdLabel.text, the chart summary)
        "home": "Главная",
        "ad": "Реклама",
        "brands": "Бренды",
        "shops": "Магазины",
        "page_n": "страница {n}",
        "home_description": "{title}: сравнение цен в магазинах-партнёрах. Товаров: {products}, магазинов: {shops}.",
        "category_description": "{name}: сравните цены в магазинах-партнёрах. Товаров: {count}.",
        "brand_description": "Товары бренда {name}: цены в магазинах, скидки и наличие. Товаров: {count}.",
        "shop_description": "Товары магазина {name}: цены, скидки и наличие. Товаров: {count}.",
        "product_description": "{title}: от {price}, предложений: {shops}. Сравните цены в магазинах и историю цены.",
        "product_description_gone": "{title}: товар больше не продаётся. Похожие товары и история цены.",
        "disclosure_description": "Как работает сайт: партнёрские ссылки, комиссия магазинов и маркировка рекламы.",
        "chart_summary": "Цена менялась от {low} до {high} с {start} по {end}.",
        "nav_label": "Категории",
        "search_label": "Поиск товаров",
        "search_placeholder": "Например, палатка",
        "search_button": "Найти",
        "footer_note": "Мы получаем комиссию с покупок по ссылкам на этом сайте.",
        "footer_disclosure": "О партнёрских ссылках и рекламе",
        "copyright": "© {year} {title}",
        "new_tab": "(откроется в новой вкладке)",
        # breadcrumbs and pager
        "breadcrumbs_label": "Навигационная цепочка",
        "pager_label": "Страницы",
        "pager_prev": "← Предыдущая",
        "pager_next": "Следующая →",
        "pager_page": "Страница {n}",
        # cards, prices, availability
        "card_offers": "Предложений: {n}",
        "in_stock": "В наличии",
        "out_of_stock": "Нет в наличии",
        "old_price_label": "Старая цена:",
        "discount_badge": "−{n}%",
        "total_products": "Товаров: {n}",
        "best_price": "Лучшая цена",
        # ad marking
        "ad_inn": "ИНН {inn}",
        "ad_erid": "erid: {erid}",
        # product page
        "brand": "Бренд",
        "gallery_label": "Фотографии товара",
        "compare_prices": "Сравнить цены в магазинах ({n})",
        "offers_heading": "Цены в магазинах",
        "offers_caption": "Предложения магазинов, от дешёвых к дорогим",
        "col_shop": "Магазин",
        "col_price": "Цена",
        "col_buy": "Ссылка на магазин",
        "buy_at": "Купить в {shop}",
        "view_at": "Перейти в {shop}",
        "offers_note": "Цены и наличие могут измениться: проверяйте их на сайте магазина.",
        "no_offers": "Сейчас этого товара нет в наличии ни в одном магазине.",
        "gone_title": "Товар больше не продаётся",
        "gone_text": "Ни один магазин сейчас не предлагает этот товар. Посмотрите похожие товары ниже.",
        "gone_link": "Похожие товары",
        "params_heading": "Характеристики",
        "gtin": "Штрихкод",
        "vendor_code": "Артикул",
        "description_heading": "Описание",
        "variants_heading": "Другие варианты",
        "similar_heading": "Похожие товары",
        "alternatives_heading": "Чем заменить",
        "price_history_heading": "История цены",
        "price_history_list": "Все изменения цены",
        # category page, filters and sorting
        "subcategories_heading": "Подкатегории",
        "products_heading": "Товары",
        "filters_heading": "Фильтры и сортировка",
        "filter_price": "Цена, {currency}",
        "filter_from": "от",
        "filter_to": "до",
        "filter_brands": "Бренды",
        "filter_shops": "Магазины",
        "filter_available": "Только в наличии",
        "sort_label": "Сортировка",
        "sort_default": "По умолчанию",
        "sort_price_asc": "Сначала дешевле",
        "sort_price_desc": "Сначала дороже",
        "sort_discount": "По размеру скидки",
        "filter_apply": "Показать",
        "filter_reset": "Сбросить",
        "filter_count": "Найдено товаров: {n}",
        "filter_none": "Ничего не нашлось. Измените условия фильтра.",
        "filter_error": "Не удалось загрузить фильтр. Список товаров ниже работает как обычно.",
        "filter_loading": "Загружаем товары…",
        "show_more": "Показать ещё",
        # home
        "home_categories": "Категории",
        "home_discounts": "Лучшие скидки",
        "home_new": "Новинки",
        # brand and shop pages, indexes
        "listing_brand_title": "Товары бренда {name}",
        "listing_shop_title": "Товары магазина {name}",
        "all_brands": "Все бренды",
        "all_shops": "Все магазины",
        # search
        "search": "Поиск",
        "search_results": "Результаты поиска",
        "search_count": "Найдено: {n}",
        "search_none": "По запросу «{q}» ничего не найдено.",
        "search_empty": "Введите название товара или бренд.",
        "search_loading": "Ищем…",
        "search_error": "Поиск сейчас недоступен. Попробуйте позже или выберите категорию.",
        "search_noscript": "Для поиска нужен JavaScript. Товары можно найти и через категории в меню.",
        # disclosure
        "disclosure": "О партнёрских ссылках и рекламе",
        "disclosure_p1": (
            "«{title}» сравнивает цены магазинов. Мы сами ничего не продаём: кнопки «Купить» ведут на сайты "
            "магазинов-партнёров."
        ),
        "disclosure_p2": (
            "Ссылки на магазины — партнёрские. Если вы купите товар по такой ссылке, магазин может заплатить "
            "нам комиссию. Цена для вас от этого не меняется."
        ),
        "disclosure_p3": (
            "Цены, скидки и наличие мы берём из данных магазинов и обновляем регулярно, но они могут "
            "измениться. Актуальные условия всегда на сайте магазина."
        ),
        "disclosure_p4": (
            "Рекламные ссылки отмечены словом «Реклама» с названием рекламодателя, его ИНН и идентификатором "
            "рекламы (erid), как требует закон «О рекламе»."
        ),
        "disclosure_shops": "Магазины-партнёры",
        "disclosure_caption": "Магазины, партнёрские сети и маркировка рекламы",
        "col_network": "Партнёрская сеть",
        "col_ad": "Маркировка рекламы",
        "ad_not_required": "Не требуется",
        # 404
        "not_found": "Страница не найдена",
        "notfound_text": "Такой страницы нет: возможно, товар сняли с продажи или ссылка устарела.",
        "notfound_home": "Перейти на главную страницу",
        "notfound_search": "Или найдите товар через поиск:",
        # /go/ redirect
        "go_title": "Переход в магазин {shop}",
        "go_text": "Сейчас откроется сайт магазина {shop}. Если этого не произошло, нажмите на ссылку:",
        "go_link": "Перейти на сайт {shop}",
    },
    "en": {
        # layout
        "og_locale": "en_US",
        "skip_to_content": "Skip to content",
        # for the renderer (page titles, descriptions, breadcrumbs, AdLabel.text, the chart summary)
        "home": "Home",
        "ad": "Advertisement",
        "brands": "Brands",
        "shops": "Shops",
        "page_n": "page {n}",
        "home_description": "{title}: compare prices at partner shops. Products: {products}, shops: {shops}.",
        "category_description": "{name}: compare prices at partner shops. Products: {count}.",
        "brand_description": "{name} products: prices at shops, discounts and availability. Products: {count}.",
        "shop_description": "Products at {name}: prices, discounts and availability. Products: {count}.",
        "product_description": "{title}: from {price}, offers: {shops}. Compare shop prices and the price history.",
        "product_description_gone": "{title} is no longer sold. See similar products and the price history.",
        "disclosure_description": "How this site works: affiliate links, shop commissions and ad marking.",
        "chart_summary": "The price ranged from {low} to {high} between {start} and {end}.",
        "nav_label": "Categories",
        "search_label": "Search products",
        "search_placeholder": "e.g. tent",
        "search_button": "Search",
        "footer_note": "We earn a commission on purchases made through links on this site.",
        "footer_disclosure": "About affiliate links and ads",
        "copyright": "© {year} {title}",
        "new_tab": "(opens in a new tab)",
        # breadcrumbs and pager
        "breadcrumbs_label": "Breadcrumb",
        "pager_label": "Pages",
        "pager_prev": "← Previous",
        "pager_next": "Next →",
        "pager_page": "Page {n}",
        # cards, prices, availability
        "card_offers": "Offers: {n}",
        "in_stock": "In stock",
        "out_of_stock": "Out of stock",
        "old_price_label": "Was:",
        "discount_badge": "−{n}%",
        "total_products": "Products: {n}",
        "best_price": "Best price",
        # ad marking
        "ad_inn": "INN {inn}",
        "ad_erid": "erid: {erid}",
        # product page
        "brand": "Brand",
        "gallery_label": "Product photos",
        "compare_prices": "Compare prices at shops ({n})",
        "offers_heading": "Prices at shops",
        "offers_caption": "Shop offers, cheapest first",
        "col_shop": "Shop",
        "col_price": "Price",
        "col_buy": "Link to the shop",
        "buy_at": "Buy at {shop}",
        "view_at": "View at {shop}",
        "offers_note": "Prices and availability may change: check them on the shop's website.",
        "no_offers": "No shop has this product in stock right now.",
        "gone_title": "This product is no longer sold",
        "gone_text": "No shop offers this product any more. See similar products below.",
        "gone_link": "Similar products",
        "params_heading": "Specifications",
        "gtin": "Barcode",
        "vendor_code": "Model number",
        "description_heading": "Description",
        "variants_heading": "Other variants",
        "similar_heading": "Similar products",
        "alternatives_heading": "Alternatives",
        "price_history_heading": "Price history",
        "price_history_list": "All price changes",
        # category page, filters and sorting
        "subcategories_heading": "Subcategories",
        "products_heading": "Products",
        "filters_heading": "Filter and sort",
        "filter_price": "Price, {currency}",
        "filter_from": "from",
        "filter_to": "to",
        "filter_brands": "Brands",
        "filter_shops": "Shops",
        "filter_available": "In stock only",
        "sort_label": "Sort by",
        "sort_default": "Featured",
        "sort_price_asc": "Price: low to high",
        "sort_price_desc": "Price: high to low",
        "sort_discount": "Biggest discount",
        "filter_apply": "Apply",
        "filter_reset": "Reset",
        "filter_count": "Products found: {n}",
        "filter_none": "Nothing matches. Try other filters.",
        "filter_error": "The filters could not be loaded. The product list below still works.",
        "filter_loading": "Loading products…",
        "show_more": "Show more",
        # home
        "home_categories": "Categories",
        "home_discounts": "Best discounts",
        "home_new": "New arrivals",
        # brand and shop pages, indexes
        "listing_brand_title": "{name} products",
        "listing_shop_title": "Products at {name}",
        "all_brands": "All brands",
        "all_shops": "All shops",
        # search
        "search": "Search",
        "search_results": "Search results",
        "search_count": "Results: {n}",
        "search_none": "No results for “{q}”.",
        "search_empty": "Type a product name or a brand.",
        "search_loading": "Searching…",
        "search_error": "Search is unavailable right now. Try again later or browse a category.",
        "search_noscript": "Search needs JavaScript. You can find products through the categories in the menu.",
        # disclosure
        "disclosure": "About affiliate links and ads",
        "disclosure_p1": (
            "“{title}” compares shop prices. We do not sell anything ourselves: the “Buy” buttons take you "
            "to partner shops' websites."
        ),
        "disclosure_p2": (
            "Links to shops are affiliate links. When you buy through one, the shop may pay us a commission. "
            "It does not change your price."
        ),
        "disclosure_p3": (
            "Prices, discounts and availability come from the shops' data and are updated regularly, but "
            "they may change. The shop's website always has the current terms."
        ),
        "disclosure_p4": (
            "Advertising links are marked “Advertisement” with the advertiser's name, its tax number (INN) "
            "and the ad id (erid), as Russian advertising law requires."
        ),
        "disclosure_shops": "Partner shops",
        "disclosure_caption": "Shops, affiliate networks and ad marking",
        "col_network": "Affiliate network",
        "col_ad": "Ad marking",
        "ad_not_required": "Not required",
        # 404
        "not_found": "Page not found",
        "notfound_text": "This page does not exist: the product may have been removed or the link is out of date.",
        "notfound_home": "Go to the home page",
        "notfound_search": "Or search for a product:",
        # /go/ redirect
        "go_title": "Going to {shop}",
        "go_text": "The {shop} website is opening. If nothing happens, follow the link:",
        "go_link": "Continue to {shop}",
    },
}

LANGUAGES = tuple(STRINGS)


def translator(lang: str) -> Callable[..., str]:
    """The ``_`` function templates get: ``_("buy_at", shop="Ozon")`` -> ``"Купить в Ozon"``."""
    strings = STRINGS[lang]

    def _(key: str, **kwargs: object) -> str:
        return strings[key].format(**kwargs)

    return _
