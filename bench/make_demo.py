#!/usr/bin/env python3
"""Generate the demo site's feeds and pictures: ``feeds/demo/``.

    .venv/bin/python bench/make_demo.py            # write feeds/demo/ (needs Pillow)
    .venv/bin/python bench/make_demo.py --check    # parse what is there and print the counts

Everything here is invented: four shops, ~300 products, ~400 offers. The output is
deterministic (a fixed seed, no clock): running the script again writes the same bytes
(the JPEGs are byte-identical for a given Pillow/libjpeg build).

What each feed exercises
  technomir.yml  YML in windows-1251; <currencies> with USD (one offer priced in USD);
                 vendor.model and simplified offers; CDATA HTML descriptions (one <b>, one
                 <script>, one onclick, &nbsp; entities); params with units; two barcodes
                 on one offer; oldprice equal to price on one offer (not a discount).
  gadgethub.xml  Google Merchant RSS 2.0 (g: namespace); "12990.00 RUB" prices, g:sale_price,
                 g:additional_image_link, g:item_group_id colour groups, UPC-12 gtins for
                 Apple (the others write the same code as EAN-13 with a leading 0), a nested
                 g:shipping/g:price, one refurbished item (filtered by site.yml), and one
                 small product_type left out of category_map on purpose (Mobility > E-Scooters).
  domisad.csv    Awin-style CSV, comma-delimited UTF-8; quoted fields with commas, doubled
                 quotes and one multi-line description; empty ean on some rows (matched by
                 brand + mpn); "PHILIPS" written in capitals; mpn "HD9350-90" vs "HD9350/90".
  tropa.yml      YML in UTF-8; vendor.model offers, group_id colour variants, book offers
                 with hyphenated ISBNs, plain-text and CDATA descriptions.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "feeds" / "demo"
IMG_DIR = OUT / "images"
IMG_REL = "feeds/demo/images"  # how feeds reference pictures: relative to the site folder
SEED = 20241120

# --------------------------------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------------------------------

COLOURS = {  # key: (Russian, RGB used for the picture)
    "black": ("чёрный", (46, 48, 54)),
    "white": ("белый", (236, 236, 238)),
    "silver": ("серебристый", (196, 200, 206)),
    "grey": ("серый", (118, 122, 130)),
    "blue": ("синий", (44, 96, 196)),
    "lightblue": ("голубой", (138, 186, 230)),
    "navy": ("тёмно-синий", (34, 50, 96)),
    "green": ("зелёный", (52, 132, 84)),
    "olive": ("оливковый", (112, 120, 64)),
    "mint": ("мятный", (150, 210, 190)),
    "teal": ("бирюзовый", (0, 140, 150)),
    "red": ("красный", (196, 44, 48)),
    "orange": ("оранжевый", (236, 124, 40)),
    "yellow": ("жёлтый", (238, 198, 64)),
    "pink": ("розовый", (232, 160, 180)),
    "violet": ("фиолетовый", (118, 82, 170)),
    "lilac": ("сиреневый", (184, 160, 214)),
    "gold": ("золотистый", (210, 176, 104)),
    "beige": ("бежевый", (214, 194, 164)),
    "brown": ("коричневый", (122, 84, 58)),
    "titanium": ("натуральный титан", (168, 162, 150)),
}

BRAND_LATIN = {"ЗУБР": "ZUBR", "Интерскол": "INTERSKOL", "Яндекс": "YANDEX", "Арктика": "ARKTIKA",
               "Нова Тур": "NOVA TOUR", "Биол": "BIOL", "Нева Металл Посуда": "NEVA",
               "ЭРА": "ERA", "Сбер": "SBER", "Kukmara": "KUKMARA"}

# EAN prefixes that look right for each brand (GS1 country ranges); Apple gets 12-digit UPCs.
BRAND_PREFIX = {
    "Samsung": "880", "Xiaomi": "6941812", "Apple": "UPC:19425", "HONOR": "6936520", "realme": "6941399",
    "Google": "0840244", "TECNO": "4894947", "Infinix": "4894947", "Lenovo": "196802", "ASUS": "4711387",
    "HUAWEI": "6942103", "Acer": "4711121", "MSI": "4711377", "Sony": "4548736", "JBL": "6925281",
    "Marshall": "7340055", "Sennheiser": "4044155", "Amazfit": "6972596", "Garmin": "0753759",
    "Яндекс": "4607167", "Сбер": "4640043", "LG": "8806091", "Hisense": "6942147", "TCL": "6921732",
    "Anker": "0194644", "Baseus": "6932172", "Nitecore": "6952506", "Tefal": "3168430", "Bosch": "4242005",
    "Philips": "8720389", "Redmond": "4680024", "Polaris": "4607061", "Kitfort": "4607057",
    "Scarlett": "4602133", "Vitek": "4607042", "De'Longhi": "8004399", "Krups": "3016661",
    "Moulinex": "3016661", "Нева Металл Посуда": "4607088", "Биол": "4820055", "Rondell": "4607073",
    "Kukmara": "4607058", "Samura": "4751029", "Fiskars": "6411501", "Victorinox": "7611160",
    "Yeelight": "6924922", "ЭРА": "4606400", "Camelion": "4260033", "Gauss": "4640000", "Navigator": "4607136",
    "Citilux": "4627085", "Arte Lamp": "4640012", "Dreame": "6974080", "Makita": "0088381",
    "ЗУБР": "4607079", "Интерскол": "4607028", "DeWALT": "5035048", "Metabo": "4007430", "Huter": "4620012",
    "Champion": "4607151", "Greenworks": "4627130", "Patriot": "4630052", "Gardena": "4078500",
    "Palisad": "4607109", "Grinda": "4620048", "Karcher": "4054278", "Tramp": "4743131",
    "Нова Тур": "4607087", "Outventure": "4670026", "Greenell": "4670013", "Naturehike": "6927595",
    "Deuter": "4046051", "Osprey": "0845136", "Stanley": "6941487", "Арктика": "4607057",
    "Thermos": "4562344", "Fenix": "6942870", "Armytek": "4627089", "Petzl": "3342540", "Kovea": "8809000",
    "Fire-Maple": "6942960", "Black Diamond": "0793661", "Starfit": "4630086", "Demix": "4680106",
    "Stern": "4680106", "Forward": "4630038", "Stels": "4650078", "Merida": "4710941", "Ninebot": "6970168",
}


@dataclass
class Product:
    key: str
    kind: str
    brand: str
    model: str
    variant: tuple[str, str]  # (Russian, English), e.g. ("8/256 ГБ", "8GB/256GB")
    colour: str  # COLOURS key
    colour_en: str  # the maker's own colour name, e.g. "Onyx Black"
    mpn: str
    price: int  # reference price, RUB
    spec: dict
    family: str
    family_size: int
    group: bool  # Gadget Hub publishes the family as one g:item_group_id
    origin: str
    gtin: str = ""  # 13 digits (or 12 for Apple UPC)
    shops: list[str] = field(default_factory=list)


FAMILIES: list[Product] = []


def fam(kind, brand, model, mpn, price, colours="black:Black", var=("", ""), group=False, origin="Китай",
        **spec):
    """One product family; each colour ("key:Maker name:mpn code|...") is its own product."""
    parts = [c.split(":") for c in colours.split("|")]
    if len(parts) > 1 and "{c}" not in mpn:
        raise ValueError(f"{model}: colour variants need {{c}} in the mpn")
    fam_id = f"{kind}:{brand}:{model}:{var[0]}"
    for p in parts:
        key, label = p[0], p[1]
        code = p[2] if len(p) > 2 else key[:2].upper()
        FAMILIES.append(Product(key="", kind=kind, brand=brand, model=model, variant=var, colour=key,
                                colour_en=label, mpn=mpn.replace("{c}", code), price=price, spec=spec,
                                family=fam_id, family_size=len(parts), group=group, origin=origin))


# --- Электроника ------------------------------------------------------------------------------------
V = lambda ru, en: (ru, en)  # noqa: E731
fam("phone", "Samsung", "Galaxy S24", "SM-S921B{c}", 79990, "black:Onyx Black:ZKG|grey:Marble Grey:ZAG|"
    "violet:Cobalt Violet:ZVG|yellow:Amber Yellow:ZYG", V("8/256 ГБ", "8GB/256GB"), group=True, origin="Вьетнам",
    scr=6.2, ram=8, rom=256, cam=50, bat=4000, w=167, panel="Dynamic AMOLED 2X", hz=120)
fam("phone", "Samsung", "Galaxy S24 Ultra", "SM-S928B{c}", 129990, "black:Titanium Black:ZKH|grey:Titanium Gray:ZTH",
    V("12/256 ГБ", "12GB/256GB"), origin="Вьетнам", scr=6.8, ram=12, rom=256, cam=200, bat=5000, w=232,
    panel="Dynamic AMOLED 2X", hz=120)
fam("phone", "Samsung", "Galaxy A55", "SM-A556E{c}", 41990, "navy:Awesome Navy:ZKC|lightblue:Awesome Iceblue:LBC|"
    "lilac:Awesome Lilac:LVC", V("8/256 ГБ", "8GB/256GB"), origin="Вьетнам", scr=6.6, ram=8, rom=256, cam=50,
    bat=5000, w=213, panel="Super AMOLED", hz=120)
fam("phone", "Samsung", "Galaxy A35", "SM-A356E{c}", 31990, "navy:Awesome Navy:ZKD|lilac:Awesome Lilac:LVD",
    V("8/128 ГБ", "8GB/128GB"), origin="Вьетнам", scr=6.6, ram=8, rom=128, cam=50, bat=5000, w=209,
    panel="Super AMOLED", hz=120)
fam("phone", "Samsung", "Galaxy A15", "SM-A155F{c}", 15990, "black:Black:ZKD|lightblue:Light Blue:LBD",
    V("4/128 ГБ", "4GB/128GB"), origin="Вьетнам", scr=6.5, ram=4, rom=128, cam=50, bat=5000, w=200,
    panel="Super AMOLED", hz=90)
fam("phone", "Xiaomi", "Redmi Note 13 Pro", "MZB0G{c}RU", 32990, "black:Midnight Black:7K|violet:Aurora Purple:7P|"
    "green:Forest Green:7G", V("8/256 ГБ", "8GB/256GB"), group=True, scr=6.67, ram=8, rom=256, cam=200,
    bat=5100, w=187, panel="AMOLED", hz=120)
fam("phone", "Xiaomi", "Redmi Note 13", "MZB0F{c}RU", 19990, "black:Midnight Black:5K|lightblue:Ice Blue:5B",
    V("8/128 ГБ", "8GB/128GB"), scr=6.67, ram=8, rom=128, cam=108, bat=5000, w=188, panel="AMOLED", hz=120)
fam("phone", "Xiaomi", "Redmi 13C", "MZB0FQ{c}RU", 11990, "black:Midnight Black:K", V("8/256 ГБ", "8GB/256GB"),
    scr=6.74, ram=8, rom=256, cam=50, bat=5000, w=192, panel="IPS", hz=90)
fam("phone", "Xiaomi", "POCO X6 Pro", "MZB0G2{c}RU", 32990, "black:Black:K|yellow:POCO Yellow:Y",
    V("12/512 ГБ", "12GB/512GB"), scr=6.67, ram=12, rom=512, cam=64, bat=5000, w=186, panel="AMOLED", hz=120)
fam("phone", "Xiaomi", "14", "MZB0H0{c}RU", 89990, "black:Black:K|white:White:W", V("12/512 ГБ", "12GB/512GB"),
    scr=6.36, ram=12, rom=512, cam=50, bat=4610, w=193, panel="AMOLED", hz=120)
fam("phone", "Apple", "iPhone 15", "MTP{c}", 79990, "black:Black:03|blue:Blue:43|pink:Pink:13",
    V("128 ГБ", "128GB"), group=True, scr=6.1, ram=6, rom=128, cam=48, bat=3349, w=171, panel="Super Retina XDR",
    hz=60, os="iOS 17")
fam("phone", "Apple", "iPhone 15 Plus", "MU0{c}", 89990, "black:Black:93", V("128 ГБ", "128GB"), scr=6.7, ram=6,
    rom=128, cam=48, bat=4383, w=201, panel="Super Retina XDR", hz=60, os="iOS 17")
fam("phone", "Apple", "iPhone 15 Pro", "MTV{c}", 119990, "titanium:Natural Titanium:93|black:Black Titanium:13",
    V("256 ГБ", "256GB"), scr=6.1, ram=8, rom=256, cam=48, bat=3274, w=187, panel="Super Retina XDR", hz=120,
    os="iOS 17")
fam("phone", "Apple", "iPhone 13", "MLP{c}", 54990, "black:Midnight:F3", V("128 ГБ", "128GB"), scr=6.1, ram=4,
    rom=128, cam=12, bat=3240, w=173, panel="Super Retina XDR", hz=60, os="iOS 17")
fam("phone", "HONOR", "90", "5109ATR{c}", 34990, "black:Midnight Black:U|green:Emerald Green:G",
    V("8/256 ГБ", "8GB/256GB"), scr=6.7, ram=8, rom=256, cam=200, bat=5000, w=183, panel="AMOLED", hz=120)
fam("phone", "realme", "12 Pro+", "RMX3840{c}", 38990, "navy:Submarine Blue:B", V("12/512 ГБ", "12GB/512GB"),
    scr=6.7, ram=12, rom=512, cam=50, bat=5000, w=196, panel="AMOLED", hz=120)
fam("phone", "Google", "Pixel 8", "GA04{c}", 54990, "black:Obsidian:803", V("8/128 ГБ", "8GB/128GB"),
    scr=6.2, ram=8, rom=128, cam=50, bat=4575, w=187, panel="OLED", hz=120)
fam("phone", "TECNO", "Spark 20 Pro", "KJ6{c}", 15990, "black:Moonlit Black:K", V("8/256 ГБ", "8GB/256GB"),
    scr=6.78, ram=8, rom=256, cam=108, bat=5000, w=202, panel="IPS", hz=120)
fam("phone", "Infinix", "Note 40", "X6853{c}", 19990, "black:Obsidian Black:B", V("8/256 ГБ", "8GB/256GB"),
    scr=6.78, ram=8, rom=256, cam=108, bat=5000, w=190, panel="AMOLED", hz=120)

fam("laptop", "Apple", "MacBook Air 13 M2", "ML{c}3", 89990, "black:Midnight:Y3|silver:Silver:XY",
    V("8/256 ГБ", "8GB/256GB"), scr=13.6, cpu="Apple M2", ram=8, ssd=256, gpu="встроенная", w=1.24,
    os="macOS")
fam("laptop", "Apple", "MacBook Air 15 M3", "MRYM{c}", 139990, "grey:Space Grey:3", V("8/256 ГБ", "8GB/256GB"),
    scr=15.3, cpu="Apple M3", ram=8, ssd=256, gpu="встроенная", w=1.51, os="macOS")
fam("laptop", "Apple", "MacBook Pro 14 M3", "MTL7{c}", 169990, "grey:Space Grey:3", V("8/512 ГБ", "8GB/512GB"),
    scr=14.2, cpu="Apple M3", ram=8, ssd=512, gpu="встроенная", w=1.55, os="macOS")
fam("laptop", "Lenovo", "IdeaPad Slim 3 15IAH8", "83ER000{c}RK", 54990, "grey:Arctic Grey:8",
    V("i5-12450H/16/512 ГБ", "i5-12450H/16GB/512GB"), scr=15.6, cpu="Intel Core i5-12450H", ram=16, ssd=512,
    gpu="Intel UHD Graphics", w=1.62, os="без ОС")
fam("laptop", "Lenovo", "IdeaPad Gaming 3 15ACH6", "82K20{c}RK", 74990, "black:Shadow Black:20G",
    V("R5 5600H/16/512 ГБ/RTX 3050", "R5-5600H/16GB/512GB/RTX3050"), scr=15.6, cpu="AMD Ryzen 5 5600H", ram=16,
    ssd=512, gpu="NVIDIA GeForce RTX 3050", w=2.25, os="без ОС")
fam("laptop", "ASUS", "VivoBook 15 X1504ZA", "X1504ZA-{c}", 39990, "silver:Cool Silver:BQ078",
    V("i3-1215U/8/256 ГБ", "i3-1215U/8GB/256GB"), scr=15.6, cpu="Intel Core i3-1215U", ram=8, ssd=256,
    gpu="Intel UHD Graphics", w=1.7, os="без ОС")
fam("laptop", "ASUS", "VivoBook 15 X1504VA", "X1504VA-{c}", 57990, "blue:Quiet Blue:BQ283",
    V("i5-1335U/16/512 ГБ", "i5-1335U/16GB/512GB"), scr=15.6, cpu="Intel Core i5-1335U", ram=16, ssd=512,
    gpu="Intel Iris Xe", w=1.7, os="без ОС")
fam("laptop", "ASUS", "TUF Gaming F15 FX507ZC4", "FX507ZC4-{c}", 84990, "grey:Mecha Gray:HN009",
    V("i5-12500H/16/512 ГБ/RTX 3050", "i5-12500H/16GB/512GB/RTX3050"), scr=15.6, cpu="Intel Core i5-12500H",
    ram=16, ssd=512, gpu="NVIDIA GeForce RTX 3050", w=2.2, os="без ОС")
fam("laptop", "HUAWEI", "MateBook D 16", "53013{c}", 64990, "grey:Space Gray:WXE",
    V("i5-12450H/16/512 ГБ", "i5-12450H/16GB/512GB"), scr=16, cpu="Intel Core i5-12450H", ram=16, ssd=512,
    gpu="Intel UHD Graphics", w=1.72, os="Windows 11 Home")
fam("laptop", "HONOR", "MagicBook X16", "5301AH{c}", 52990, "grey:Gray:GY",
    V("i5-12450H/8/512 ГБ", "i5-12450H/8GB/512GB"), scr=16, cpu="Intel Core i5-12450H", ram=8, ssd=512,
    gpu="Intel UHD Graphics", w=1.75, os="Windows 11 Home")
fam("laptop", "Acer", "Aspire 3 A315-59", "NX.K6SER.00{c}", 44990, "silver:Pure Silver:A",
    V("i5-1235U/8/512 ГБ", "i5-1235U/8GB/512GB"), scr=15.6, cpu="Intel Core i5-1235U", ram=8, ssd=512,
    gpu="Intel Iris Xe", w=1.78, os="без ОС")
fam("laptop", "MSI", "Modern 15 B12M", "9S7-15H112-{c}", 49990, "black:Classic Black:1088",
    V("i5-1235U/16/512 ГБ", "i5-1235U/16GB/512GB"), scr=15.6, cpu="Intel Core i5-1235U", ram=16, ssd=512,
    gpu="Intel Iris Xe", w=1.7, os="без ОС")
fam("laptop", "Xiaomi", "RedmiBook 15", "JYU45{c}RU", 42990, "grey:Charcoal Gray:25",
    V("i5-11300H/8/512 ГБ", "i5-11300H/8GB/512GB"), scr=15.6, cpu="Intel Core i5-11300H", ram=8, ssd=512,
    gpu="Intel Iris Xe", w=1.8, os="Windows 11 Home")

fam("tablet", "Apple", "iPad 10.9 (10th gen) Wi-Fi", "MPQ{c}3", 42990, "blue:Blue:1|silver:Silver:0",
    V("64 ГБ", "64GB"), scr=10.9, ram=4, rom=64, bat=7606, w=477)
fam("tablet", "Apple", "iPad Air 11 M2 Wi-Fi", "MUWC{c}", 69990, "grey:Space Gray:3", V("128 ГБ", "128GB"),
    scr=11, ram=8, rom=128, bat=7606, w=462)
fam("tablet", "Samsung", "Galaxy Tab S9 FE Wi-Fi", "SM-X510N{c}", 39990, "grey:Gray:ZAA|mint:Mint:LGA",
    V("6/128 ГБ", "6GB/128GB"), scr=10.9, ram=6, rom=128, bat=8000, w=523)
fam("tablet", "Samsung", "Galaxy Tab A9+ Wi-Fi", "SM-X210N{c}", 21990, "grey:Graphite:ZAE", V("8/128 ГБ", "8GB/128GB"),
    scr=11, ram=8, rom=128, bat=7040, w=480)
fam("tablet", "Xiaomi", "Pad 6", "VHU4{c}EU", 34990, "grey:Gravity Gray:372|blue:Mist Blue:373",
    V("8/256 ГБ", "8GB/256GB"), scr=11, ram=8, rom=256, bat=8840, w=490)
fam("tablet", "Xiaomi", "Redmi Pad SE", "VHU4{c}EU", 19990, "grey:Graphite Gray:448", V("8/256 ГБ", "8GB/256GB"),
    scr=11, ram=8, rom=256, bat=8000, w=478)
fam("tablet", "HUAWEI", "MatePad 11.5", "53013{c}", 27990, "grey:Space Gray:UYJ", V("8/128 ГБ", "8GB/128GB"),
    scr=11.5, ram=8, rom=128, bat=7700, w=499)
fam("tablet", "Lenovo", "Tab M10 Plus (3rd Gen)", "ZAAM01{c}RU", 18990, "grey:Storm Grey:32",
    V("4/128 ГБ", "4GB/128GB"), scr=10.6, ram=4, rom=128, bat=7700, w=465)

fam("headphones", "Sony", "WH-1000XM5", "WH1000XM5/{c}", 34990, "black:Black:B|silver:Silver:S", origin="Малайзия",
    fit="полноразмерные", anc=True, hours=30, w=250)
fam("headphones", "Sony", "WH-CH720N", "WHCH720N{c}", 11990, "black:Black:B.CE7|white:White:W.CE7",
    origin="Малайзия", fit="полноразмерные", anc=True, hours=35, w=192)
fam("headphones", "Apple", "AirPods Max", "MGY{c}3", 64990, "grey:Space Gray:H|silver:Silver:J",
    fit="полноразмерные", anc=True, hours=20, w=385)
fam("headphones", "JBL", "Tune 520BT", "JBLT520BT{c}EU", 4490, "black:Black:BLK|blue:Blue:BLU|white:White:WHT",
    group=True, fit="накладные", anc=False, hours=57, w=157)
fam("headphones", "JBL", "Tune 770NC", "JBLT770NC{c}", 8990, "black:Black:BLK", fit="полноразмерные", anc=True,
    hours=70, w=232)
fam("headphones", "Marshall", "Major IV", "100577{c}", 12990, "black:Black:3", fit="накладные", anc=False,
    hours=80, w=165)
fam("headphones", "Sennheiser", "Momentum 4 Wireless", "50938{c}", 32990, "black:Black:6", origin="Тайвань",
    fit="полноразмерные", anc=True, hours=60, w=293)
fam("earbuds", "Apple", "AirPods Pro 2 (USB-C)", "MTJV{c}", 24990, "white:White:3", fit="внутриканальные",
    anc=True, hours=6, w=5)
fam("earbuds", "Apple", "AirPods 4", "MXP6{c}", 16990, "white:White:3", fit="вкладыши", anc=False, hours=5, w=4)
fam("earbuds", "Samsung", "Galaxy Buds2 Pro", "SM-R510N{c}", 13990, "black:Graphite:ZAA|violet:Bora Purple:LVA",
    origin="Вьетнам", fit="внутриканальные", anc=True, hours=5, w=6)
fam("earbuds", "Samsung", "Galaxy Buds FE", "SM-R400N{c}", 7990, "black:Graphite:ZAA|white:White:ZWA",
    origin="Вьетнам", fit="внутриканальные", anc=True, hours=6, w=6)
fam("earbuds", "Sony", "WF-1000XM5", "WF1000XM5/{c}", 27990, "black:Black:B", origin="Малайзия",
    fit="внутриканальные", anc=True, hours=8, w=6)
fam("earbuds", "Xiaomi", "Redmi Buds 5", "BHR7{c}GL", 2990, "black:Midnight Black:627|white:Fantasy White:628",
    fit="внутриканальные", anc=True, hours=10, w=5)
fam("earbuds", "Xiaomi", "Redmi Buds 4 Active", "BHR6{c}GL", 1790, "black:Black:992", fit="внутриканальные",
    anc=False, hours=5, w=4)
fam("earbuds", "HUAWEI", "FreeBuds 5i", "5503{c}", 5990, "black:Nebula Black:4650|blue:Isle Blue:4651",
    fit="внутриканальные", anc=True, hours=7, w=5)
fam("earbuds", "HONOR", "Choice Earbuds X5", "5504{c}", 1990, "white:White:AAJH", fit="внутриканальные",
    anc=True, hours=7, w=4)
fam("earbuds", "JBL", "Wave Buds", "JBLWBUDS{c}", 3490, "black:Black:BLK", fit="внутриканальные", anc=False,
    hours=8, w=5)

fam("watch", "Apple", "Watch Series 9 41 мм", "MR{c}3", 39990, "black:Midnight:8W|pink:Pink:933",
    scr=1.69, days=1.5, w=32, gps=True)
fam("watch", "Apple", "Watch SE 40 мм (2023)", "MR9{c}3", 24990, "beige:Starlight:U", scr=1.57, days=1.5, w=26,
    gps=True)
fam("watch", "Apple", "Watch Ultra 2 49 мм", "MREJ{c}", 89990, "titanium:Natural Titanium:3", scr=1.92,
    days=3, w=61, gps=True)
fam("watch", "Samsung", "Galaxy Watch6 40 мм", "SM-R930N{c}", 21990, "black:Graphite:ZKA|gold:Gold:ZEA",
    group=True, origin="Вьетнам", scr=1.3, days=2, w=29, gps=True)
fam("watch", "Samsung", "Galaxy Watch6 Classic 47 мм", "SM-R960N{c}", 32990, "black:Black:ZKA", origin="Вьетнам",
    scr=1.47, days=2, w=59, gps=True)
fam("watch", "Xiaomi", "Redmi Watch 4", "BHR7{c}GL", 8990, "black:Obsidian Black:854|silver:Silver Gray:848",
    scr=1.97, days=20, w=31, gps=True)
fam("watch", "Xiaomi", "Redmi Watch 3 Active", "BHR7{c}GL", 3990, "black:Black:266", scr=1.83, days=12, w=35,
    gps=False)
fam("watch", "Amazfit", "GTR 4", "W2166{c}", 14990, "black:Superspeed Black:EU1N", scr=1.43, days=14, w=49,
    gps=True)
fam("watch", "HUAWEI", "Watch GT 4 46 мм", "5502{c}", 21990, "black:Black:0057|brown:Brown:0058", scr=1.43,
    days=14, w=48, gps=True)
fam("watch", "Garmin", "Forerunner 265", "010-02810-{c}", 42990, "black:Black:10", origin="Тайвань", scr=1.3,
    days=13, w=47, gps=True)
fam("watch", "Garmin", "Instinct 2 Solar", "010-02627-{c}", 36990, "grey:Graphite:00", origin="Тайвань", scr=0.9,
    days=28, w=53, gps=True)
fam("band", "Xiaomi", "Smart Band 8", "BHR7{c}GL", 3990, "black:Graphite Black:165|gold:Champagne Gold:166",
    scr=1.62, days=16, w=27, gps=False)
fam("band", "HONOR", "Band 7", "5502{c}", 2990, "black:Meteorite Black:AAA", scr=1.47, days=14, w=16, gps=False)
fam("band", "HUAWEI", "Band 9", "5502{c}", 4490, "black:Starry Black:BAU|pink:Charm Pink:BAW", scr=1.47,
    days=14, w=14, gps=False)
fam("band", "Amazfit", "Band 7", "W2177{c}", 3490, "black:Black:EU1N", scr=1.47, days=18, w=28, gps=False)

fam("speaker", "JBL", "Flip 6", "JBLFLIP6{c}EU", 10990, "black:Black:BLK|blue:Blue:BLU|red:Red:RED", pw=30,
    hours=12, ip="IP67")
fam("speaker", "JBL", "Charge 5", "JBLCHARGE5{c}", 15990, "black:Black:BLK|green:Forest Green:GRN", pw=40,
    hours=20, ip="IP67")
fam("speaker", "JBL", "Go 3", "JBLGO3{c}", 3290, "black:Black:BLK|blue:Blue:BLU", pw=4.2, hours=5, ip="IP67")
fam("speaker", "JBL", "Clip 5", "JBLCLIP5{c}", 5990, "black:Black:BLK|pink:Pink:PINK", pw=7, hours=12, ip="IP67")
fam("speaker", "Яндекс", "Станция Мини 2 с часами", "YNDX-00021{c}", 9990, "black:Black:K|grey:Grey:G",
    origin="Россия", pw=10, hours=0, ip="")
fam("speaker", "Яндекс", "Станция Лайт", "YNDX-00025{c}", 4990, "violet:Purple:P|yellow:Yellow:Y",
    origin="Россия", pw=5, hours=0, ip="")
fam("speaker", "Marshall", "Emberton II", "100623{c}", 14990, "black:Black & Brass:4", pw=20, hours=30,
    ip="IP67")
fam("speaker", "Сбер", "SberBoom Mini", "SBDV-000{c}", 3990, "black:Black:95", origin="Россия", pw=5, hours=0,
    ip="")
fam("speaker", "Xiaomi", "Mi Portable Bluetooth Speaker 16W", "QBH4{c}GL", 3490, "black:Black:195", pw=16,
    hours=13, ip="IPX7")

fam("tv", "Xiaomi", "TV A 43 2025", "L43MA-A{c}RU", 24990, "black:Black:U", scr=43, res="3840x2160", hz=60,
    os="Google TV")
fam("tv", "Samsung", "UE43CU7100UXRU", "UE43CU7100{c}", 34990, "black:Black:UXRU", origin="Россия", scr=43,
    res="3840x2160", hz=60, os="Tizen")
fam("tv", "LG", "50UR78006LK", "50UR7800{c}", 39990, "black:Black:6LK", origin="Россия", scr=50,
    res="3840x2160", hz=60, os="webOS")
fam("tv", "Hisense", "55A6K", "55A6{c}", 39990, "black:Black:K", scr=55, res="3840x2160", hz=60, os="VIDAA")
fam("tv", "Яндекс", "ТВ Станция 50", "YNDX-000{c}", 36990, "black:Black:92", origin="Россия", scr=50,
    res="3840x2160", hz=60, os="Яндекс ТВ")
fam("tv", "TCL", "55C645", "55C64{c}", 45990, "grey:Titanium:5", scr=55, res="3840x2160", hz=60, os="Google TV")

fam("powerbank", "Xiaomi", "Power Bank 20000 mAh 22.5W", "PB2022Z{c}", 2490, "black:Black:M", cap=20000, pw=22.5)
fam("powerbank", "Anker", "PowerCore 10000", "A12{c}", 2990, "black:Black:63", cap=10000, pw=12)
fam("powerbank", "Baseus", "Bipow 20000 mAh 20W", "PPBD05{c}", 1990, "white:White:0002|black:Black:0001",
    cap=20000, pw=20)
fam("powerbank", "Nitecore", "NB10000 Gen 2", "NB10000G{c}", 5490, "black:Black:2", cap=10000, pw=20)
fam("charger", "Apple", "20W USB-C Power Adapter", "MHJA{c}", 2490, "white:White:3", pw=20, ports="USB-C")
fam("charger", "Samsung", "25W Travel Adapter", "EP-TA800N{c}", 1790, "black:Black:BEGRU", origin="Вьетнам",
    pw=25, ports="USB-C")
fam("charger", "Xiaomi", "67W Charging Combo", "BHR6{c}EU", 2990, "white:White:035", pw=67, ports="USB-A")
fam("charger", "Baseus", "GaN5 Pro 65W", "CCGP1200{c}", 3490, "black:Black:01", pw=65, ports="2 USB-C + USB-A")
fam("charger", "Anker", "Nano 511 20W", "A26{c}", 1690, "white:White:37", pw=20, ports="USB-C")

# --- Дом ---------------------------------------------------------------------------------------------
fam("kettle", "Tefal", "Sense", "KI7008{c}", 5990, "black:Black:30", origin="Китай", vol=1.5, pw=1800,
    mat="сталь", temp=True)
fam("kettle", "Bosch", "TWK3P420", "TWK3P42{c}", 4490, "white:White:0", vol=1.7, pw=2400, mat="пластик")
fam("kettle", "Bosch", "TWK7L460", "TWK7L46{c}", 6990, "black:Black:0", vol=1.7, pw=2400, mat="сталь", temp=True)
fam("kettle", "Philips", "Series 3000 HD9350", "HD9350/{c}", 5290, "silver:Silver:90", vol=1.7, pw=2200,
    mat="сталь")
fam("kettle", "Xiaomi", "Mi Smart Kettle 2", "BHR5{c}EU", 4290, "white:White:927", vol=1.7, pw=1800,
    mat="пластик", temp=True)
fam("kettle", "Xiaomi", "Electric Kettle 2", "BHR5{c}EU", 2490, "white:White:923", vol=1.7, pw=1800, mat="пластик")
fam("kettle", "Redmond", "RK-G200", "RK-G200{c}", 3490, "black:Black:", vol=1.7, pw=2200, mat="стекло")
fam("kettle", "Polaris", "PWK 1725CGLD", "PWK1725{c}", 3990, "white:White:CGLD", vol=1.7, pw=2200, mat="стекло",
    temp=True)
fam("kettle", "Kitfort", "KT-6140", "KT-6140{c}", 2990, "black:Black:", vol=1.7, pw=2200, mat="стекло", temp=True)
fam("kettle", "Scarlett", "SC-EK21S40", "SC-EK21S{c}", 1590, "silver:Silver:40", vol=1.7, pw=2200, mat="сталь")
fam("kettle", "Vitek", "VT-7009", "VT-7009{c}", 2290, "silver:Silver:", origin="Россия", vol=1.7, pw=2200,
    mat="стекло")
fam("coffee", "De'Longhi", "Magnifica S ECAM22.110.B", "ECAM22.110.{c}", 39990, "black:Black:B", origin="Румыния",
    ctype="автоматическая", pw=1450, bar=15, vol=1.8)
fam("coffee", "Philips", "Series 2200 EP2220", "EP2220/{c}", 37990, "black:Black:10", origin="Румыния",
    ctype="автоматическая", pw=1500, bar=15, vol=1.8)
fam("coffee", "Polaris", "PCM 1527E Adore Crema", "PCM1527E{c}", 8990, "black:Black:", ctype="рожковая", pw=1350,
    bar=15, vol=1.2)
fam("coffee", "Kitfort", "KT-718", "KT-718{c}", 7990, "black:Black:", ctype="рожковая", pw=1050, bar=15, vol=1.2)
fam("coffee", "Bosch", "Tassimo Vivy 2 TAS1402", "TAS140{c}", 5990, "black:Black:2", ctype="капсульная", pw=1300,
    bar=3.3, vol=0.7)
fam("blender", "Philips", "Series 3000 HR2600", "HR2600/{c}", 4990, "grey:Grey:80", btype="погружной", pw=800,
    vol=0.5)
fam("blender", "Bosch", "ErgoMaster MS6CM4150", "MS6CM415{c}", 6990, "black:Black:0", btype="погружной", pw=1000,
    vol=0.6)
fam("blender", "Tefal", "Perfectmix+ BL81G831", "BL81G8{c}", 11990, "black:Black:31", btype="стационарный",
    pw=1200, vol=2)
fam("blender", "Redmond", "RSB-M3401", "RSB-M3401{c}", 3990, "black:Black:", btype="погружной", pw=1000, vol=0.7)
fam("blender", "Kitfort", "KT-1363", "KT-1363-{c}", 5490, "white:White:1", btype="стационарный", pw=1000, vol=1.5)
fam("multicooker", "Redmond", "RMC-M90", "RMC-M90{c}", 6990, "black:Black:", vol=5, pw=860, progs=45)
fam("multicooker", "Polaris", "PMC 0517 Expert", "PMC0517{c}", 5990, "black:Black:EXP", vol=5, pw=860, progs=50)
fam("multicooker", "Tefal", "Multicook & Grains RK908A32", "RK908A{c}", 9990, "black:Black:32", vol=4.7, pw=750,
    progs=45)
fam("multicooker", "Moulinex", "Simply Cook MK611832", "MK6118{c}", 7490, "white:White:32", vol=4, pw=750,
    progs=12)
fam("multicooker", "Xiaomi", "Mijia Smart Multifunctional Rice Cooker", "BHR7{c}EU", 5990, "white:White:919",
    vol=4, pw=600, progs=14)
fam("airfryer", "Philips", "Essential HD9252", "HD9252/{c}", 9990, "black:Black:90", vol=4.1, pw=1400)
fam("airfryer", "Xiaomi", "Mi Smart Air Fryer 3.5L", "BHR4{c}EU", 7990, "white:White:849", vol=3.5, pw=1500)
fam("airfryer", "Tefal", "Easy Fry Classic EY201815", "EY2018{c}", 8490, "black:Black:15", vol=4.2, pw=1500)
fam("airfryer", "Kitfort", "KT-2216", "KT-2216{c}", 5490, "black:Black:", vol=4, pw=1400)
fam("pan", "Tefal", "Unlimited 24 см", "G25504{c}", 2990, "black:Black:72", origin="Франция", d=24,
    coat="антипригарное Titanium", induction=True)
fam("pan", "Tefal", "Unlimited 28 см", "G25506{c}", 3790, "black:Black:72", origin="Франция", d=28,
    coat="антипригарное Titanium", induction=True)
fam("pan", "Tefal", "Hard Titanium+ 26 см", "C69205{c}", 3490, "grey:Grey:02", origin="Франция", d=26,
    coat="антипригарное Titanium", induction=True)
fam("pan", "Tefal", "Ingenio Unlimited, набор 3 предмета", "L76391{c}", 7990, "black:Black:42", origin="Франция",
    d=24, coat="антипригарное Titanium", induction=True)
fam("pan", "Нева Металл Посуда", "Классика 26 см", "11{c}", 2590, "grey:Grey:026", origin="Россия", d=26,
    coat="антипригарное", induction=False)
fam("pan", "Биол", "чугунная 26 см", "01{c}", 1890, "black:Black:26", origin="Украина", d=26, coat="без покрытия",
    induction=True)
fam("pan", "Kukmara", "Мраморная 24 см", "смт24{c}", 1490, "brown:Brown:0а", origin="Россия", d=24,
    coat="мраморное", induction=False)
fam("pan", "Rondell", "Zeita 28 см", "RDA-15{c}", 3290, "black:Black:73", d=28, coat="антипригарное",
    induction=True)
fam("knife", "Tefal", "Ever Sharp", "K25690{c}", 2290, "black:Black:04", blade=16.5, steel="нержавеющая сталь")
fam("knife", "Samura", "MO-V шеф", "SM-00{c}", 3990, "silver:Silver:85", origin="Япония", blade=20,
    steel="AUS-8")
fam("knife", "Fiskars", "Functional Form, набор 3 ножа", "10575{c}", 4490, "black:Black:35",
    origin="Финляндия", blade=21, steel="японская нержавеющая сталь")
fam("knife", "Victorinox", "Fibrox шеф 20 см", "5.2063.{c}", 5990, "black:Black:20", origin="Швейцария",
    blade=20, steel="нержавеющая сталь")
fam("lamp", "Xiaomi", "Mi LED Desk Lamp 1S", "MUE41{c}GL", 3990, "white:White:05", pw=9, temp="2700–6500",
    smart=True)
fam("lamp", "Xiaomi", "Mi Smart LED Desk Lamp Pro", "BHR41{c}GL", 6990, "black:Black:19", pw=12,
    temp="2500–4800", smart=True)
fam("lamp", "Yeelight", "LED Desk Lamp V1 Pro", "YLTD0{c}", 4490, "white:White:8", pw=5, temp="2700–6500",
    smart=True)
fam("lamp", "ЭРА", "NLED-482-10W-W", "Б00415{c}", 1690, "white:White:97", origin="Китай", pw=10,
    temp="3000–6000", smart=False)
fam("lamp", "Camelion", "KD-794 C01", "KD-794{c}", 1290, "black:Black:C01", pw=7, temp="4000", smart=False)
fam("bulb", "Philips", "Hue White and Color Ambiance E27", "9290022{c}", 4990, "white:White:16824", pw=9,
    base="E27", temp="2000–6500", lm=806, smart=True)
fam("bulb", "Philips", "Hue White GU10", "8719514{c}", 2290, "white:White:342726", pw=5.2, base="GU10",
    temp="2700", lm=400, smart=True)
fam("bulb", "Gauss", "LED A60 10W E27 4100K", "1025022{c}", 149, "white:White:10", origin="Россия", pw=10,
    base="E27", temp="4100", lm=920, smart=False)
fam("bulb", "Gauss", "LED A60 10W E27 3000K", "1025021{c}", 149, "white:White:10", origin="Россия", pw=10,
    base="E27", temp="3000", lm=880, smart=False)
fam("bulb", "Gauss", "LED Candle 6.5W E14 2700K", "1031015{c}", 139, "white:White:07", origin="Россия", pw=6.5,
    base="E14", temp="2700", lm=520, smart=False)
fam("bulb", "ЭРА", "LED A60-13W-827-E27", "Б00208{c}", 119, "white:White:97", pw=13, base="E27", temp="2700",
    lm=1040, smart=False)
fam("bulb", "Яндекс", "Умная лампа E27", "YNDX-00{c}", 1290, "white:White:501", origin="Россия", pw=9, base="E27",
    temp="1500–6500", lm=806, smart=True)
fam("bulb", "Сбер", "Умная лампа E27", "SBDV-000{c}", 990, "white:White:20", origin="Россия", pw=9, base="E27",
    temp="2700–6500", lm=806, smart=True)
fam("bulb", "Xiaomi", "Mi Smart LED Bulb Essential", "MJDPL01{c}", 990, "white:White:YL", pw=9, base="E27",
    temp="1700–6500", lm=950, smart=True)
fam("bulb", "Navigator", "NLL-A60-10-230-4K-E27", "6124{c}", 129, "white:White:0", pw=10, base="E27", temp="4000",
    lm=800, smart=False)
fam("ceiling", "Citilux", "Старк CL70335", "CL7033{c}", 8990, "white:White:5", origin="Россия", pw=70, d=50, area=20)
fam("ceiling", "Arte Lamp", "Bolla A1564PL-3", "A1564PL-{c}", 5990, "beige:Beige:3", origin="Китай", pw=60, d=40,
    area=15)
fam("ceiling", "Yeelight", "Ceiling Light A2001C450", "YLXD0{c}", 9990, "white:White:32", pw=50, d=45, area=25)
fam("ceiling", "ЭРА", "SPB-6-12-4K", "Б0033{c}", 890, "white:White:890", pw=12, d=17, area=6)
fam("vacuum", "Dreame", "V11 SE", "VVV{c}", 19990, "grey:Grey:11SE", vtype="вертикальный беспроводной", mins=90,
    pw=450)
fam("vacuum", "Xiaomi", "Vacuum Cleaner G10", "BHR4{c}GL", 17990, "white:White:999", vtype="вертикальный беспроводной",
    mins=65, pw=450)
fam("vacuum", "Philips", "SpeedPro XC3131", "XC3131/{c}", 15990, "white:White:01", vtype="вертикальный беспроводной",
    mins=60, pw=300)
fam("vacuum", "Bosch", "Unlimited 7 BCS71HYG1", "BCS71HYG{c}", 29990, "white:White:1", origin="Германия",
    vtype="вертикальный беспроводной", mins=40, pw=600)
fam("vacuum", "Kitfort", "KT-541", "KT-541-{c}", 7990, "grey:Grey:4", vtype="вертикальный беспроводной", mins=45,
    pw=150)
fam("vacuum", "Tefal", "X-Force Flex 8.60 TY9690", "TY96{c}WO", 24990, "red:Red:90", vtype="вертикальный беспроводной",
    mins=35, pw=185)
fam("robot", "Xiaomi", "Robot Vacuum S10", "BHR5{c}EU", 19990, "white:White:988", pa=4000, mins=130, wet=True)
fam("robot", "Dreame", "D10 Plus Gen 2", "RLS3{c}", 29990, "white:White:D", pa=6000, mins=170, wet=True)
fam("robot", "Polaris", "PVCR 3200 IQ Home Aqua", "PVCR3200{c}", 18990, "black:Black:", pa=2600, mins=120, wet=True)
fam("iron", "Philips", "7000 Series DST7030", "DST7030/{c}", 5990, "blue:Blue:20", origin="Индонезия", pw=2800,
    steam=50, sole="SteamGlide Plus")
fam("iron", "Tefal", "Ultimate Pure FV9845", "FV98{c}E0", 7990, "blue:Blue:45", origin="Франция", pw=3200,
    steam=60, sole="Durilium AirGlide")
fam("iron", "Bosch", "Sensixx'x DA50 TDA5028110", "TDA50281{c}", 5490, "blue:Blue:10", origin="Португалия", pw=2800,
    steam=50, sole="CeraniumGlissee")
fam("iron", "Polaris", "PIR 2888AK", "PIR2888A{c}", 3490, "grey:Grey:K", pw=2800, steam=50, sole="керамика")

# --- Сад и инструменты --------------------------------------------------------------------------------
fam("drill", "Bosch", "UniversalDrill 18V", "06039D40{c}", 8990, "green:Green:00", origin="Германия", volt=18,
    torque=40, ah=1.5, w=1.3)
fam("drill", "Bosch", "EasyImpact 18V-40", "06039D81{c}", 10990, "green:Green:00", origin="Германия", volt=18,
    torque=40, ah=2, w=1.4)
fam("drill", "Bosch", "GSR 120-LI Professional", "06019G80{c}", 11990, "blue:Blue:00", origin="Малайзия", volt=12,
    torque=30, ah=2, w=1.1)
fam("drill", "Makita", "DF333DWYE", "DF333DWY{c}", 12990, "teal:Teal:E", volt=12, torque=30, ah=1.5, w=1.1)
fam("drill", "Makita", "HP457DWE", "HP457DW{c}", 13990, "teal:Teal:E", volt=18, torque=42, ah=1.5, w=1.7)
fam("drill", "Makita", "DDF485Z", "DDF485{c}", 9990, "teal:Teal:Z", origin="Румыния", volt=18, torque=50, ah=0,
    w=1.3)
fam("drill", "ЗУБР", "ДА-12-2-Ли КНУ", "ДА-12-2-Ли {c}", 4990, "red:Red:КНУ", origin="Китай", volt=12, torque=28,
    ah=1.5, w=1.1)
fam("drill", "Интерскол", "ДА-12ЭР-02", "7060{c}", 5990, "orange:Orange:15.2.00", origin="Россия", volt=12,
    torque=30, ah=1.5, w=1.2)
fam("drill", "DeWALT", "DCD777D2T", "DCD777D2{c}", 17990, "yellow:Yellow:T", volt=18, torque=65, ah=2, w=1.6)
fam("drill", "Metabo", "PowerMaxx BS 12", "6010365{c}", 9990, "green:Green:00", origin="Германия", volt=12,
    torque=40, ah=2, w=0.9)
fam("saw", "Bosch", "UniversalChain 18", "06008B80{c}", 12990, "green:Green:01", origin="Германия", pw=18, bar=20,
    power="аккумуляторная")
fam("saw", "Makita", "UC4041A", "UC4041{c}", 14990, "teal:Teal:A", pw=1800, bar=40, power="электрическая")
fam("saw", "Huter", "ELS-2400", "70/10/1{c}", 6990, "yellow:Yellow:4", pw=2400, bar=40, power="электрическая")
fam("saw", "ЗУБР", "ПЦЭ-2400", "ПЦЭ-2400-{c}", 6490, "red:Red:40", pw=2400, bar=40, power="электрическая")
fam("mower", "Bosch", "ARM 37", "06008A62{c}", 14990, "green:Green:01", origin="Великобритания", pw=1400, width=37,
    box=40, engine="электрическая")
fam("mower", "Makita", "ELM3320", "ELM332{c}", 13990, "teal:Teal:0", pw=1200, width=33, box=30,
    engine="электрическая")
fam("mower", "Huter", "ELM-1400", "70/4/{c}", 8990, "yellow:Yellow:3", pw=1400, width=34, box=35,
    engine="электрическая")
fam("mower", "Champion", "LM4215", "LM42{c}", 24990, "orange:Orange:15", pw=3500, width=42, box=50,
    engine="бензиновая")
fam("mower", "Greenworks", "G40LM41K2", "25142{c}", 29990, "green:Green:07", pw=40, width=41, box=50,
    engine="аккумуляторная")
fam("trimmer", "Bosch", "ART 24", "06008A58{c}", 5990, "green:Green:00", origin="Германия", pw=400, width=24,
    engine="электрический")
fam("trimmer", "Huter", "GET-600", "70/1/{c}", 3990, "yellow:Yellow:13", pw=600, width=30, engine="электрический")
fam("trimmer", "Patriot", "PT 545", "250108{c}", 9990, "orange:Orange:545", pw=1900, width=44, engine="бензиновый")
fam("trimmer", "Greenworks", "G40LT30", "21107{c}", 8990, "green:Green:07", pw=40, width=30,
    engine="аккумуляторный")
fam("secateurs", "Fiskars", "PowerGear X PX92", "10236{c}", 3490, "orange:Orange:30", origin="Финляндия", length=21,
    cut=26)
fam("secateurs", "Fiskars", "Solid P121", "10571{c}", 1190, "orange:Orange:60", origin="Польша", length=20, cut=20)
fam("secateurs", "Gardena", "Comfort B/M", "08905-{c}", 2290, "teal:Turquoise:20", origin="Германия", length=21,
    cut=22)
fam("secateurs", "Palisad", "60510", "6051{c}", 490, "red:Red:0", length=20, cut=15)
fam("secateurs", "Grinda", "PS-18", "8-4231{c}", 690, "green:Green:23", length=18, cut=16)
fam("shovel", "Fiskars", "Solid штыковая", "10266{c}", 2490, "orange:Orange:86", origin="Польша", length=116,
    mat="сталь")
fam("shovel", "Fiskars", "Xact штыковая", "10667{c}", 4990, "black:Black:29", origin="Польша", length=120,
    mat="закалённая сталь")
fam("shovel", "Palisad", "штыковая 61421", "6142{c}", 790, "red:Red:1", length=118, mat="сталь")
fam("shovel", "ЗУБР", "Профессионал штыковая", "4-39415-{c}", 1290, "red:Red:120", origin="Россия", length=120,
    mat="рельсовая сталь")
fam("hose", "Gardena", "Classic 13 мм (1/2\"), 20 м", "18003-{c}", 3290, "grey:Grey:20", origin="Германия",
    dia="1/2\"", length=20)
fam("hose", "Grinda", "ProLine 3/4\", 25 м", "8-4296{c}", 2990, "green:Green:1", dia="3/4\"", length=25)
fam("hose", "Palisad", "1/2\", 15 м", "6744{c}", 990, "green:Green:0", dia="1/2\"", length=15)
fam("hose", "Karcher", "PrimoFlex 1/2\", 20 м", "2.645-{c}", 1990, "yellow:Yellow:138.0", origin="Италия",
    dia="1/2\"", length=20)

# --- Спорт и отдых --------------------------------------------------------------------------------------
fam("tent", "Tramp", "Lite Camp 2", "TLT-0{c}", 9990, "green:Green:10", cap=2, w=2.5, wp=3000)
fam("tent", "Tramp", "Mountain 3 V2", "TRT-0{c}", 22990, "green:Green:23", cap=3, w=4.3, wp=5000)
fam("tent", "Tramp", "Cloud 3 Si", "TRT-0{c}", 27990, "grey:Dark Grey:93", cap=3, w=2.3, wp=5000)
fam("tent", "Нова Тур", "Терра 3", "954{c}", 12990, "olive:Khaki:05", origin="Китай", cap=3, w=3.9, wp=3000)
fam("tent", "Outventure", "Cheltenham 4", "IRMCH4{c}", 14990, "blue:Blue:Z4", cap=4, w=6.9, wp=2000)
fam("tent", "Greenell", "Дом 3 V2", "951{c}", 18990, "green:Green:32", cap=3, w=5.4, wp=3000)
fam("tent", "Naturehike", "Cloud Up 2", "NH17T001-{c}", 11990, "grey:Grey:TG|orange:Orange:TO", cap=2, w=1.6,
    wp=4000)
fam("backpack", "Tramp", "Floki 50+10", "TRP-0{c}", 12990, "black:Black:46", vol=60, w=1.6)
fam("backpack", "Deuter", "Futura 32", "34008{c}", 19990, "blue:Ocean:21", origin="Вьетнам", vol=32, w=1.5)
fam("backpack", "Osprey", "Talon 22", "10004{c}", 14990, "green:Green Belt:784", origin="Вьетнам", vol=22, w=0.9)
fam("backpack", "Нова Тур", "Витим 80", "954{c}", 13990, "grey:Grey:81", vol=80, w=2.4)
fam("backpack", "Outventure", "Altai 30", "IRBAL3{c}", 4990, "grey:Grey:0Z", vol=30, w=0.8)
fam("sleepingbag", "Tramp", "Airy Light", "TRS-0{c}", 4990, "orange:Orange:56", tcomf=10, tlim=5, w=0.9)
fam("sleepingbag", "Нова Тур", "Карелия 450", "954{c}", 6490, "green:Green:22", tcomf=-5, tlim=-15, w=2.4)
fam("sleepingbag", "Naturehike", "Ultralight LW180", "NH15S0{c}", 4490, "grey:Grey:03", tcomf=12, tlim=7, w=0.8)
fam("thermos", "Stanley", "Classic Legendary 1 л", "10-08266-{c}", 5990, "green:Hammertone Green:001|"
    "black:Matte Black:002", origin="Китай", vol=1, hours=24)
fam("thermos", "Арктика", "106-1200", "106-{c}", 2290, "silver:Steel:1200", origin="Россия", vol=1.2, hours=24)
fam("thermos", "Thermos", "FBB-1000B", "FBB-1000{c}", 3490, "black:Black:B", vol=1, hours=24)
fam("thermos", "Tramp", "TRC-028 1 л", "TRC-0{c}", 1990, "olive:Olive:28", vol=1, hours=20)
fam("headlamp", "Fenix", "HL18R-T", "HL18RT{c}", 4490, "black:Black:BK", lm=500, rng=112, bat="Li-ion 1300 мА·ч")
fam("headlamp", "Armytek", "Wizard C2 Pro Magnet USB", "F087{c}", 6990, "black:Black:01C", origin="Китай", lm=2500,
    rng=140, bat="18650 3200 мА·ч")
fam("headlamp", "Petzl", "Tikkina", "E060AA0{c}", 2490, "black:Black:0", origin="Франция", lm=300, rng=65,
    bat="3×AAA")
fam("flashlight", "Fenix", "PD36R", "PD36{c}", 8990, "black:Black:R", lm=1600, rng=283, bat="21700 5000 мА·ч")
fam("flashlight", "ЭРА", "GB-601", "Б00322{c}", 490, "black:Black:13", lm=60, rng=40, bat="3×AAA")
fam("burner", "Kovea", "Scout KB-0408", "KB-04{c}", 2990, "silver:Silver:08", origin="Корея", kw=2.3, w=198)
fam("burner", "Fire-Maple", "FMS-116T", "FMS-116{c}", 3990, "silver:Silver:T", kw=2.9, w=97)
fam("burner", "Tramp", "TRG-043", "TRG-0{c}", 2490, "silver:Silver:43", kw=2.8, w=115)
fam("poles", "Black Diamond", "Trail", "BD1125{c}", 8990, "blue:Blue:01", length=140, w=520)
fam("poles", "Tramp", "Compact", "TRR-0{c}", 2990, "grey:Grey:07", length=135, w=560)
fam("mat", "Starfit", "FM-101 173×61×0,4 см", "УТ-000{c}", 899, "violet:Violet:1853|blue:Blue:1854",
    origin="Китай", size="173×61", thick=4)
fam("mat", "Demix", "коврик для йоги 6 мм", "1153{c}", 1499, "pink:Pink:72", size="183×61", thick=6)
fam("dumbbell", "Starfit", "DB-702 разборная 10 кг", "УТ-000{c}", 3490, "black:Black:2072", mass=10)
fam("dumbbell", "Demix", "неопреновые 2 × 2 кг", "1152{c}", 1299, "pink:Pink:77", mass=4)
fam("bike", "Stern", "Energy 1.0 26\" (2023)", "23ST{c}", 22990, "black:Black:NRG10", wheel=26, frame="сталь",
    speeds=21)
fam("bike", "Forward", "Sporting 27,5 2.0 D", "RB3R7{c}", 34990, "grey:Grey:8128", origin="Россия", wheel=27.5,
    frame="алюминий", speeds=24)
fam("bike", "Stels", "Navigator 500 MD 26\"", "LU0{c}", 21990, "blue:Blue:94010", origin="Россия", wheel=26,
    frame="сталь", speeds=21)
fam("bike", "Merida", "Big.Seven 10", "6110{c}", 59990, "green:Green:854", origin="Тайвань", wheel=27.5,
    frame="алюминий", speeds=18)
fam("scooter", "Xiaomi", "Electric Scooter 4 Lite", "BHR5{c}GL", 34990, "black:Black:390", km=20, kmh=25, w=16)
fam("scooter", "Ninebot", "KickScooter F2 Plus", "AA.00.0{c}", 54990, "grey:Dark Grey:013.72", km=55, kmh=25, w=18)

BOOKS = [  # (title, author, publisher, year, pages, price, colour, series)
    ("Пешком по Карелии. Путеводитель по тропам и озёрам", "Анна Северова", "Северный ветер", 2023, 256, 890,
     "green", "Тропы России"),
    ("Алтай: маршруты выходного дня", "Илья Горин", "Тропа-Пресс", 2022, 224, 1190, "orange", "Тропы России"),
    ("Кавказ для начинающих походников", "Мария Ласточкина", "Тропа-Пресс", 2024, 288, 1090, "blue",
     "Тропы России"),
    ("Байкал круглый год", "Дмитрий Кедров", "Северный ветер", 2021, 312, 1490, "navy", ""),
    ("Основы туризма: снаряжение, навигация, безопасность", "", "Тропа-Пресс", 2023, 384, 990, "red", ""),
    ("Камчатка. Вулканы и гейзеры", "Олег Ключевской", "Северный ветер", 2024, 208, 1690, "violet", ""),
]

# --------------------------------------------------------------------------------------------------
# Kinds: names, site category, feed categories, who sells them
# --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Kind:
    ru: str  # type prefix, e.g. "Смартфон"
    ru2: str  # a second shop's wording, e.g. "Смартфон" / "Электрический чайник"
    site: str  # site category path (for the checks)
    tm: str = ""  # ТехноМир category id
    gh: str = ""  # Gadget Hub product_type
    ds: str = ""  # Дом и Сад merchant_category
    tr: str = ""  # Тропа category id
    p: float = 0.4  # chance each further eligible shop also sells the product
    hue: str = "tech"  # picture background


K = {
    "phone": Kind("Смартфон", "Смартфон", "electronics/smartphones", tm="11", gh="Phones & Tablets > Smartphones",
                  p=0.5),
    "laptop": Kind("Ноутбук", "Ноутбук", "electronics/laptops", tm="12", gh="Computers > Laptops", p=0.45),
    "tablet": Kind("Планшет", "Планшет", "electronics/tablets", tm="13", gh="Phones & Tablets > Tablets", p=0.45),
    "headphones": Kind("Наушники", "Беспроводные наушники", "electronics/headphones", tm="141",
                       gh="Audio > Headphones", p=0.5),
    "earbuds": Kind("Наушники TWS", "Беспроводные наушники", "electronics/headphones", tm="141",
                    gh="Audio > Headphones", p=0.45),
    "watch": Kind("Умные часы", "Смарт-часы", "electronics/smartwatches", tm="15", gh="Wearables > Smartwatches",
                  tr="301", p=0.35),
    "band": Kind("Фитнес-браслет", "Фитнес-браслет", "electronics/smartwatches", tm="15",
                 gh="Wearables > Fitness Trackers", tr="301", p=0.35),
    "speaker": Kind("Портативная колонка", "Умная колонка", "electronics/speakers", tm="142", gh="Audio > Speakers",
                    p=0.45),
    "tv": Kind("Телевизор", "Телевизор", "electronics/tv", tm="16", p=0),
    "powerbank": Kind("Внешний аккумулятор", "Power bank", "electronics/accessories", tm="171",
                      gh="Accessories > Power Banks", tr="302", p=0.4),
    "charger": Kind("Сетевое зарядное устройство", "Зарядное устройство", "electronics/accessories", tm="172",
                    gh="Accessories > Chargers", p=0.45),
    "kettle": Kind("Чайник электрический", "Электрический чайник", "home/kitchen/appliances", tm="211",
                   ds="Чайники", gh="Smart Home > Kitchen", p=0.5, hue="home"),
    "coffee": Kind("Кофемашина", "Кофеварка", "home/kitchen/appliances", tm="212", ds="Кофеварки и кофемашины",
                   p=0.45, hue="home"),
    "blender": Kind("Блендер", "Блендер", "home/kitchen/appliances", tm="213", ds="Блендеры и миксеры", p=0.4,
                    hue="home"),
    "multicooker": Kind("Мультиварка", "Мультиварка", "home/kitchen/appliances", tm="214", ds="Мультиварки",
                        gh="Smart Home > Kitchen", p=0.4, hue="home"),
    "airfryer": Kind("Аэрогриль", "Аэрофритюрница", "home/kitchen/appliances", tm="214", ds="Мультиварки",
                     gh="Smart Home > Kitchen", p=0.4, hue="home"),
    "pan": Kind("Сковорода", "Сковорода", "home/kitchen/cookware", ds="Посуда", p=0, hue="home"),
    "knife": Kind("Нож", "Нож кухонный", "home/kitchen/cookware", ds="Ножи", p=0, hue="home"),
    "lamp": Kind("Настольная лампа", "Настольный светильник", "home/lighting", ds="Светильники",
                 gh="Smart Home > Lighting", p=0.4, hue="light"),
    "bulb": Kind("Лампа светодиодная", "Лампочка", "home/lighting", ds="Лампочки", gh="Smart Home > Lighting",
                 p=0.4, hue="light"),
    "ceiling": Kind("Потолочный светильник", "Люстра", "home/lighting", ds="Светильники",
                    gh="Smart Home > Lighting", p=0.3, hue="light"),
    "vacuum": Kind("Пылесос вертикальный", "Беспроводной пылесос", "home/cleaning", tm="221", ds="Пылесосы",
                   gh="Smart Home > Cleaning", p=0.4, hue="home"),
    "robot": Kind("Робот-пылесос", "Робот-пылесос", "home/cleaning", tm="221", ds="Пылесосы",
                  gh="Smart Home > Cleaning", p=0.45, hue="home"),
    "iron": Kind("Утюг", "Утюг с паром", "home/cleaning", tm="222", ds="Утюги", p=0.45, hue="home"),
    "drill": Kind("Дрель-шуруповерт аккумуляторная", "Шуруповёрт", "garden/power-tools", tm="31",
                  ds="Дрели и шуруповёрты", p=0.45, hue="garden"),
    "saw": Kind("Цепная пила", "Пила цепная", "garden/power-tools", tm="32", ds="Пилы", p=0.4, hue="garden"),
    "mower": Kind("Газонокосилка", "Газонокосилка", "garden/machinery", ds="Газонокосилки и триммеры", p=0,
                  hue="garden"),
    "trimmer": Kind("Триммер", "Триммер садовый", "garden/machinery", ds="Газонокосилки и триммеры", p=0,
                    hue="garden"),
    "secateurs": Kind("Секатор", "Секатор", "garden/tools", ds="Садовый инвентарь", p=0, hue="garden"),
    "shovel": Kind("Лопата", "Лопата", "garden/tools", ds="Садовый инвентарь", p=0, hue="garden"),
    "hose": Kind("Шланг поливочный", "Шланг садовый", "garden/tools", ds="Полив", p=0, hue="garden"),
    "tent": Kind("Палатка", "Палатка туристическая", "sport/camping", tr="101", p=0, hue="sport"),
    "backpack": Kind("Рюкзак", "Рюкзак туристический", "sport/camping", tr="102", p=0, hue="sport"),
    "sleepingbag": Kind("Спальный мешок", "Спальник", "sport/camping", tr="103", p=0, hue="sport"),
    "thermos": Kind("Термос", "Термос", "sport/camping", tr="104", ds="Термосы", p=0.5, hue="sport"),
    "headlamp": Kind("Налобный фонарь", "Фонарь налобный", "sport/camping", tr="105", ds="Фонари", p=0.4,
                     hue="sport"),
    "flashlight": Kind("Фонарь", "Фонарь ручной", "sport/camping", tr="105", ds="Фонари", p=0.5, hue="sport"),
    "burner": Kind("Газовая горелка", "Горелка туристическая", "sport/camping", tr="106", p=0, hue="sport"),
    "poles": Kind("Треккинговые палки", "Палки для трекинга", "sport/camping", tr="107", p=0, hue="sport"),
    "mat": Kind("Коврик для йоги", "Коврик для фитнеса", "sport/fitness", tr="201", p=0, hue="sport"),
    "dumbbell": Kind("Гантели", "Гантель", "sport/fitness", tr="201", p=0, hue="sport"),
    "bike": Kind("Велосипед", "Велосипед горный", "sport/bikes", tr="202", p=0, hue="sport"),
    "scooter": Kind("Электросамокат", "Электросамокат", "(unmapped)", gh="Mobility > E-Scooters", p=0),
}
SMART_HOME_BRANDS = {"Xiaomi", "Philips", "Яндекс", "Сбер", "Yeelight", "Dreame"}

TM_CATEGORIES = [  # (id, name, parentId)
    ("1", "Электроника", ""), ("11", "Мобильные телефоны", "1"), ("12", "Ноутбуки", "1"),
    ("13", "Планшеты", "1"), ("14", "Аудиотехника", "1"), ("141", "Наушники и гарнитуры", "14"),
    ("142", "Портативная акустика", "14"), ("15", "Умные часы и браслеты", "1"), ("16", "Телевизоры", "1"),
    ("17", "Аксессуары", "1"), ("171", "Внешние аккумуляторы", "17"), ("172", "Зарядные устройства", "17"),
    ("2", "Бытовая техника", ""), ("21", "Техника для кухни", "2"), ("211", "Чайники", "21"),
    ("212", "Кофемашины и кофеварки", "21"), ("213", "Блендеры", "21"), ("214", "Мультиварки и аэрогрили", "21"),
    ("22", "Техника для дома", "2"), ("221", "Пылесосы", "22"), ("222", "Утюги и парогенераторы", "22"),
    ("3", "Инструменты", ""), ("31", "Дрели и шуруповёрты", "3"), ("32", "Пилы", "3"),
]
TR_CATEGORIES = [
    ("1", "Туризм и походы", ""), ("101", "Палатки", "1"), ("102", "Рюкзаки", "1"), ("103", "Спальные мешки", "1"),
    ("104", "Термосы и посуда", "1"), ("105", "Фонари", "1"), ("106", "Горелки и плитки", "1"),
    ("107", "Треккинговые палки", "1"), ("2", "Спорт", ""), ("201", "Фитнес и йога", "2"),
    ("202", "Велосипеды", "2"), ("3", "Электроника для активного отдыха", ""), ("301", "Спортивные часы", "3"),
    ("302", "Внешние аккумуляторы", "3"), ("4", "Книги", ""), ("401", "Путеводители", "4"),
]


# --------------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------------

_TR = str.maketrans({"а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z",
                     "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
                     "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
                     "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya"})


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower().translate(_TR)).strip("-")


def check_digit(body: str) -> int:
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def gtin_ok(code: str) -> bool:
    code = code.replace("-", "")
    return code.isdigit() and len(code) in (8, 12, 13, 14) and int(code[-1]) == check_digit(code[:-1])


def num(x) -> str:
    """6.2 -> '6.2', 8.0 -> '8'."""
    return f"{x:g}" if isinstance(x, float) else str(x)


def ru_num(x) -> str:
    """A number the Russian way in prose: 6.2 -> '6,2'."""
    return num(x).replace(".", ",")


def thousands(n: int) -> str:
    return f"{n:,}".replace(",", " ")


def nice_price(x: float) -> int:
    """Shop-style prices: 79 990, 4 490, 1 290, 349."""
    if x >= 10000:
        return round(x / 1000.0) * 1000 - 10
    if x >= 1000:
        return round(x / 100.0) * 100 - 10
    if x >= 200:
        return round(x / 10.0) * 10 - 1
    return round(x)


# --------------------------------------------------------------------------------------------------
# Texts: titles, descriptions, params
# --------------------------------------------------------------------------------------------------

def colour_ru(p: Product, yo: bool = True) -> str:
    name = COLOURS[p.colour][0]
    return name if yo else name.replace("ё", "е")


def full_model(p: Product, lang: str = "ru") -> str:
    var = p.variant[0] if lang == "ru" else p.variant[1]
    return " ".join(x for x in (p.model, var) if x)


def params(p: Product) -> list[tuple[str, str, str]]:
    s, k = p.spec, p.kind
    out: list[tuple[str, str, str]] = []
    add = lambda name, value, unit="": out.append((name, unit, num(value)))  # noqa: E731
    if k in ("phone", "tablet"):
        add("Диагональ экрана", s["scr"], "дюйм")
        add("Оперативная память", s["ram"], "ГБ")
        add("Встроенная память", s["rom"], "ГБ")
        if k == "phone":
            add("Основная камера", s["cam"], "Мп")
        add("Ёмкость аккумулятора", s["bat"], "мА·ч")
        add("Вес", s["w"], "г")
    elif k == "laptop":
        add("Диагональ экрана", s["scr"], "дюйм")
        add("Процессор", s["cpu"])
        add("Оперативная память", s["ram"], "ГБ")
        add("Объём SSD", s["ssd"], "ГБ")
        add("Видеокарта", s["gpu"])
        add("Операционная система", s["os"])
        add("Вес", s["w"], "кг")
    elif k in ("headphones", "earbuds"):
        add("Тип", s["fit"])
        add("Активное шумоподавление", "есть" if s["anc"] else "нет")
        add("Время работы", s["hours"], "ч")
        add("Вес", s["w"], "г")
    elif k in ("watch", "band"):
        add("Диагональ экрана", s["scr"], "дюйм")
        add("Время автономной работы", s["days"], "дн")
        add("GPS", "есть" if s["gps"] else "нет")
        add("Вес", s["w"], "г")
    elif k == "speaker":
        add("Мощность", s["pw"], "Вт")
        if s["hours"]:
            add("Время работы от аккумулятора", s["hours"], "ч")
        if s["ip"]:
            add("Защита от воды", s["ip"])
    elif k == "tv":
        add("Диагональ экрана", s["scr"], "дюйм")
        add("Разрешение", s["res"])
        add("Частота обновления", s["hz"], "Гц")
        add("Smart TV", s["os"])
    elif k == "powerbank":
        add("Ёмкость", s["cap"], "мА·ч")
        add("Максимальная мощность", s["pw"], "Вт")
    elif k == "charger":
        add("Мощность", s["pw"], "Вт")
        add("Разъёмы", s["ports"])
    elif k == "kettle":
        add("Объём", s["vol"], "л")
        add("Мощность", s["pw"], "Вт")
        add("Материал корпуса", s["mat"])
        add("Поддержание температуры", "есть" if s.get("temp") else "нет")
    elif k == "coffee":
        add("Тип", s["ctype"])
        add("Мощность", s["pw"], "Вт")
        add("Давление помпы", s["bar"], "бар")
        add("Объём резервуара для воды", s["vol"], "л")
    elif k == "blender":
        add("Тип", s["btype"])
        add("Мощность", s["pw"], "Вт")
        add("Объём чаши", s["vol"], "л")
    elif k in ("multicooker", "airfryer"):
        add("Объём", s["vol"], "л")
        add("Мощность", s["pw"], "Вт")
        if "progs" in s:
            add("Количество программ", s["progs"])
    elif k == "pan":
        add("Диаметр", s["d"], "см")
        add("Покрытие", s["coat"])
        add("Подходит для индукции", "да" if s["induction"] else "нет")
    elif k == "knife":
        add("Длина лезвия", s["blade"], "см")
        add("Сталь", s["steel"])
    elif k in ("lamp", "bulb", "ceiling"):
        add("Мощность", s["pw"], "Вт")
        if "base" in s:
            add("Цоколь", s["base"])
            add("Световой поток", s["lm"], "лм")
        if "temp" in s:
            add("Цветовая температура", s["temp"], "K")
        if "area" in s:
            add("Площадь освещения", s["area"], "кв. м")
        if s.get("smart"):
            add("Управление со смартфона", "да")
    elif k == "vacuum":
        add("Тип", s["vtype"])
        add("Время работы", s["mins"], "мин")
        add("Мощность всасывания", s["pw"], "Вт")
    elif k == "robot":
        add("Мощность всасывания", s["pa"], "Па")
        add("Время работы", s["mins"], "мин")
        add("Влажная уборка", "есть" if s["wet"] else "нет")
    elif k == "iron":
        add("Мощность", s["pw"], "Вт")
        add("Постоянная подача пара", s["steam"], "г/мин")
        add("Подошва", s["sole"])
    elif k == "drill":
        add("Напряжение аккумулятора", s["volt"], "В")
        add("Максимальный крутящий момент", s["torque"], "Н·м")
        add("Ёмкость аккумулятора", s["ah"] or "без аккумулятора", "А·ч" if s["ah"] else "")
        add("Вес", s["w"], "кг")
    elif k == "saw":
        add("Питание", s["power"])
        add("Длина шины", s["bar"], "см")
    elif k in ("mower", "trimmer"):
        add("Двигатель", s["engine"])
        add("Ширина скашивания", s["width"], "см")
        if "box" in s:
            add("Объём травосборника", s["box"], "л")
    elif k == "secateurs":
        add("Длина", s["length"], "см")
        add("Максимальный диаметр реза", s["cut"], "мм")
    elif k == "shovel":
        add("Длина", s["length"], "см")
        add("Материал полотна", s["mat"])
    elif k == "hose":
        add("Диаметр", s["dia"])
        add("Длина", s["length"], "м")
    elif k == "tent":
        add("Вместимость", s["cap"], "чел.")
        add("Вес", s["w"], "кг")
        add("Водостойкость тента", s["wp"], "мм")
    elif k == "backpack":
        add("Объём", s["vol"], "л")
        add("Вес", s["w"], "кг")
    elif k == "sleepingbag":
        add("Температура комфорта", s["tcomf"], "°C")
        add("Температура экстрима", s["tlim"], "°C")
        add("Вес", s["w"], "кг")
    elif k == "thermos":
        add("Объём", s["vol"], "л")
        add("Сохраняет тепло", s["hours"], "ч")
    elif k in ("headlamp", "flashlight"):
        add("Световой поток", s["lm"], "лм")
        add("Дальность луча", s["rng"], "м")
        add("Питание", s["bat"])
    elif k == "burner":
        add("Мощность", s["kw"], "кВт")
        add("Вес", s["w"], "г")
    elif k == "poles":
        add("Максимальная длина", s["length"], "см")
        add("Вес пары", s["w"], "г")
    elif k == "mat":
        add("Размер", s["size"], "см")
        add("Толщина", s["thick"], "мм")
    elif k == "dumbbell":
        add("Общий вес", s["mass"], "кг")
    elif k == "bike":
        add("Диаметр колёс", s["wheel"], "дюйм")
        add("Материал рамы", s["frame"])
        add("Количество скоростей", s["speeds"])
    elif k == "scooter":
        add("Запас хода", s["km"], "км")
        add("Максимальная скорость", s["kmh"], "км/ч")
        add("Вес", s["w"], "кг")
    out.append(("Цвет", "", colour_ru(p)))
    return out


def lead_and_bullets(p: Product) -> tuple[str, list[str]]:
    """A one-sentence lead and 2-4 bullet points, in Russian."""
    s, k, name = p.spec, p.kind, f"{p.brand} {p.model}"
    if k == "phone":
        lead = (f"{name} — смартфон с {ru_num(s['scr'])}-дюймовым экраном {s['panel']}, основной камерой "
                f"{s['cam']} Мп и аккумулятором {thousands(s['bat'])} мА·ч.")
        bullets = [f"Экран {ru_num(s['scr'])}\" {s['panel']}, {s['hz']} Гц",
                   f"{s['ram']} ГБ оперативной и {s['rom']} ГБ встроенной памяти",
                   f"Основная камера {s['cam']} Мп", s.get("os", "Android 14") + ", NFC"]
    elif k == "laptop":
        lead = f"{name} — ноутбук с экраном {ru_num(s['scr'])}\" на процессоре {s['cpu']}."
        bullets = [f"{s['ram']} ГБ оперативной памяти, SSD {s['ssd']} ГБ", f"Графика: {s['gpu']}",
                   f"Вес {ru_num(s['w'])} кг", f"Операционная система: {s['os']}"]
    elif k == "tablet":
        lead = f"{name} — планшет с экраном {ru_num(s['scr'])}\" для учёбы, работы и кино."
        bullets = [f"{s['ram']} ГБ ОЗУ, {s['rom']} ГБ памяти", f"Аккумулятор {thousands(s['bat'])} мА·ч",
                   f"Вес {s['w']} г"]
    elif k in ("headphones", "earbuds"):
        lead = (f"Беспроводные {s['fit']} наушники {name}" + (" с активным шумоподавлением" if s["anc"] else "")
                + f": до {s['hours']} часов музыки на одном заряде.")
        bullets = ["Bluetooth 5.3, быстрое подключение к смартфону", f"До {s['hours']} ч работы",
                   "Микрофон для звонков"]
    elif k in ("watch", "band"):
        what = "умные часы" if k == "watch" else "фитнес-браслет"
        lead = f"{name} — {what} с экраном {ru_num(s['scr'])}\" и автономностью до {ru_num(s['days'])} дней."
        bullets = ["Пульс, сон, SpO2 и десятки спортивных режимов", "Уведомления со смартфона"]
        if s["gps"]:
            bullets.append("Встроенный GPS для пробежек без телефона")
    elif k == "speaker":
        if p.brand in ("Яндекс", "Сбер"):
            lead = f"{name} — умная колонка с голосовым ассистентом и мощностью {num(s['pw'])} Вт."
            bullets = ["Голосовой ассистент, музыка и радио", "Управление умным домом", "Работает от сети"]
        else:
            lead = f"{name} — портативная колонка мощностью {num(s['pw'])} Вт с защитой {s['ip']}."
            bullets = [f"До {s['hours']} ч работы от аккумулятора", f"Защита от воды и пыли {s['ip']}",
                       "Bluetooth 5.1"]
    elif k == "tv":
        lead = f"Телевизор {name} с диагональю {s['scr']}\", разрешением 4K и платформой {s['os']}."
        bullets = [f"Экран {s['scr']}\" {s['res']}, HDR10", "Wi-Fi, Bluetooth, три входа HDMI", f"Smart TV: {s['os']}"]
    elif k == "powerbank":
        lead = f"Внешний аккумулятор {name} ёмкостью {thousands(s['cap'])} мА·ч с быстрой зарядкой."
        bullets = [f"Мощность до {ru_num(s['pw'])} Вт", "Заряжает два устройства одновременно"]
    elif k == "charger":
        lead = f"Компактное сетевое зарядное устройство {name} мощностью {s['pw']} Вт."
        bullets = [f"Разъёмы: {s['ports']}", "Поддержка быстрой зарядки Power Delivery"]
    elif k == "kettle":
        lead = f"Электрический чайник {name} объёмом {ru_num(s['vol'])} л и мощностью {thousands(s['pw'])} Вт."
        bullets = [f"Корпус: {s['mat']}", "Автоотключение при закипании и без воды"]
        if s.get("temp"):
            bullets.append("Выбор температуры и поддержание тепла")
    elif k == "coffee":
        lead = f"{s['ctype'].capitalize()} кофемашина {name} для эспрессо и капучино дома."
        bullets = [f"Давление {ru_num(s['bar'])} бар", f"Резервуар {ru_num(s['vol'])} л", f"Мощность {s['pw']} Вт"]
    elif k == "blender":
        lead = f"{s['btype'].capitalize()} блендер {name} мощностью {s['pw']} Вт."
        bullets = [f"Чаша {ru_num(s['vol'])} л", "Несколько скоростей и импульсный режим"]
    elif k in ("multicooker", "airfryer"):
        what = "Мультиварка" if k == "multicooker" else "Аэрогриль"
        lead = f"{what} {name} объёмом {ru_num(s['vol'])} л: готовит быстро и почти без масла."
        bullets = [f"Мощность {s['pw']} Вт", "Отложенный старт и подогрев"]
        if "progs" in s:
            bullets.insert(0, f"{s['progs']} автоматических программ")
    elif k == "pan":
        coat = " без покрытия" if s["coat"] == "без покрытия" else f" с покрытием «{s['coat']}»"
        lead = f"Сковорода {name}{coat} — для жарки без пригорания."
        bullets = [f"Диаметр {s['d']} см", "Подходит для индукционных плит" if s["induction"] else
                   "Для газовых и электрических плит", "Можно мыть в посудомоечной машине"]
    elif k == "knife":
        lead = f"Нож {name}: лезвие {ru_num(s['blade'])} см, сталь — {s['steel']}."
        bullets = ["Эргономичная рукоять", "Долго держит заточку"]
    elif k in ("lamp", "bulb", "ceiling"):
        lead = f"{K[k].ru} {name} мощностью {ru_num(s['pw'])} Вт" + (
            " с управлением со смартфона и голосом." if s.get("smart") else ".")
        bullets = [f"Цветовая температура {s['temp']} K" if "temp" in s else f"Площадь освещения до {s['area']} кв. м",
                   "Без мерцания, класс энергоэффективности A+"]
    elif k == "vacuum":
        lead = f"Беспроводной пылесос {name}: до {s['mins']} минут уборки без провода."
        bullets = [f"Мощность всасывания {s['pw']} Вт", "Насадки для мебели и щелей", "Фильтр HEPA"]
    elif k == "robot":
        lead = f"Робот-пылесос {name} с лидаром и влажной уборкой, мощность всасывания {thousands(s['pa'])} Па."
        bullets = [f"До {s['mins']} минут работы", "Карта помещений и запретные зоны в приложении"]
    elif k == "iron":
        lead = f"Паровой утюг {name} мощностью {thousands(s['pw'])} Вт с подошвой {s['sole']}."
        bullets = [f"Пар {s['steam']} г/мин", "Вертикальное отпаривание", "Защита от накипи"]
    elif k == "drill":
        lead = f"Аккумуляторная дрель-шуруповёрт {name} на {s['volt']} В с крутящим моментом до {s['torque']} Н·м."
        bullets = ["Две скорости, реверс", "LED-подсветка рабочей зоны",
                   f"Аккумулятор {ru_num(s['ah'])} А·ч" if s["ah"] else "Без аккумулятора и зарядного устройства"]
    elif k == "saw":
        lead = f"{s['power'].capitalize()} цепная пила {name} с шиной {s['bar']} см."
        bullets = ["Автоматическая смазка цепи", "Тормоз цепи"]
    elif k in ("mower", "trimmer"):
        what = "Газонокосилка" if k == "mower" else "Триммер"
        lead = f"{what} {name}, {s['engine']}, ширина скашивания {s['width']} см."
        bullets = ["Для участков до 6 соток", "Складная рукоятка"]
    elif k == "secateurs":
        lead = f"Секатор {name} для веток диаметром до {s['cut']} мм."
        bullets = ["Лезвия с антифрикционным покрытием", "Фиксатор лезвий"]
    elif k == "shovel":
        lead = f"Штыковая лопата {name}, длина {s['length']} см."
        bullets = [f"Полотно: {s['mat']}", "Удобная D-образная рукоять"]
    elif k == "hose":
        lead = f"Поливочный шланг {name}: диаметр {s['dia']}, длина {s['length']} м."
        bullets = ["Армированный, не перегибается", "Устойчив к ультрафиолету"]
    elif k == "tent":
        lead = f"{s['cap']}-местная туристическая палатка {name} весом {ru_num(s['w'])} кг."
        bullets = [f"Тент {thousands(s['wp'])} мм водяного столба", "Проклеенные швы", "Два входа и тамбур"]
    elif k == "backpack":
        lead = f"Рюкзак {name} объёмом {s['vol']} л для походов и путешествий."
        bullets = ["Регулируемая подвесная система", "Накидка от дождя", f"Вес {ru_num(s['w'])} кг"]
    elif k == "sleepingbag":
        lead = f"Спальный мешок {name}: комфорт от {s['tcomf']} °C, экстрим до {s['tlim']} °C."
        bullets = [f"Вес {ru_num(s['w'])} кг", "Компрессионный мешок в комплекте"]
    elif k == "thermos":
        lead = f"Термос {name} объёмом {ru_num(s['vol'])} л держит тепло до {s['hours']} часов."
        bullets = ["Корпус из нержавеющей стали", "Крышка-кружка"]
    elif k in ("headlamp", "flashlight"):
        lead = f"{K[k].ru} {name}: до {thousands(s['lm'])} люмен и луч на {s['rng']} м."
        bullets = [f"Питание: {s['bat']}", "Защита от воды IPX4 и выше"]
    elif k == "burner":
        lead = f"Газовая горелка {name} мощностью {ru_num(s['kw'])} кВт весом всего {s['w']} г."
        bullets = ["Резьбовое подключение баллона", "Пьезоподжиг"]
    elif k == "poles":
        lead = f"Треккинговые палки {name}, длина до {s['length']} см."
        bullets = ["Быстрые замки", f"Вес пары {s['w']} г"]
    elif k == "mat":
        lead = f"Коврик {name} толщиной {s['thick']} мм для йоги и фитнеса."
        bullets = ["Нескользящая поверхность", f"Размер {s['size']} см"]
    elif k == "dumbbell":
        lead = f"Гантели {name} для тренировок дома."
        bullets = [f"Общий вес {s['mass']} кг", "Покрытие не царапает пол"]
    elif k == "bike":
        lead = f"Велосипед {name}: колёса {ru_num(s['wheel'])}\", рама — {s['frame']}, {s['speeds']} скоростей."
        bullets = ["Дисковые тормоза", "Амортизационная вилка"]
    elif k == "scooter":
        lead = f"Электросамокат {name}: запас хода до {s['km']} км, скорость до {s['kmh']} км/ч."
        bullets = ["Складывается за три секунды", f"Вес {s['w']} кг"]
    else:
        raise KeyError(k)
    return lead, bullets


# --------------------------------------------------------------------------------------------------
# Catalogue: products, codes, shops
# --------------------------------------------------------------------------------------------------

SHOPS = ("technomir", "gadgethub", "domisad", "tropa")


def eligible(p: Product) -> list[str]:
    k = K[p.kind]
    out = []
    if k.tm:
        out.append("technomir")
    if k.gh and (p.kind not in ("lamp", "bulb", "ceiling", "vacuum", "robot") or p.brand in SMART_HOME_BRANDS) \
            and (p.kind not in ("kettle", "multicooker", "airfryer") or p.brand == "Xiaomi"):
        out.append("gadgethub")
    if k.ds:
        out.append("domisad")
    if k.tr and (p.kind not in ("watch", "band") or p.brand in ("Garmin", "Amazfit", "Xiaomi", "HUAWEI")) \
            and (p.kind != "powerbank" or p.brand in ("Xiaomi", "Nitecore", "Anker")):
        out.append("tropa")
    return out


def build_catalogue(rng: random.Random) -> list[Product]:
    products = FAMILIES
    used: set[str] = set()
    for p in products:
        p.key = slug(f"{p.brand}-{p.model}-{p.variant[1]}-{p.colour}")
        prefix = BRAND_PREFIX.get(p.brand, "460")
        while True:
            if prefix.startswith("UPC:"):
                body = prefix[4:] + "".join(str(rng.randrange(10)) for _ in range(11 - len(prefix[4:])))
            else:
                body = prefix + "".join(str(rng.randrange(10)) for _ in range(12 - len(prefix)))
            code = body + str(check_digit(body))
            if code not in used:
                used.add(code)
                p.gtin = code
                break
    keys = [p.key for p in products]
    assert len(keys) == len(set(keys)), "duplicate product keys"
    mpns = [(p.brand.casefold(), re.sub(r"[^0-9a-zа-яё]", "", p.mpn.casefold())) for p in products]
    assert len(mpns) == len(set(mpns)), [m for m in mpns if mpns.count(m) > 1]

    for p in products:
        shops = eligible(p)
        if not shops:
            raise ValueError(p.key)
        p.shops = [rng.choice(shops)] if len(shops) > 1 else list(shops)
        for s in shops:
            if s not in p.shops and rng.random() < K[p.kind].p:
                p.shops.append(s)
        if p.group and "gadgethub" not in p.shops:
            p.shops.append("gadgethub")
    # a few on purpose
    force = {"garmin-forerunner-265-black": ["technomir", "gadgethub", "tropa"],
             "tefal-sense-black": ["technomir", "domisad"],
             "philips-series-3000-hd9350-silver": ["technomir", "domisad"],
             "philips-series-2200-ep2220-black": ["technomir", "domisad"],
             "stanley-classic-legendary-1-l-green": ["tropa", "domisad"],
             "xiaomi-mi-smart-kettle-2-white": ["technomir", "gadgethub", "domisad"],
             "apple-iphone-15-128gb-black": ["technomir", "gadgethub"],
             "apple-airpods-pro-2-usb-c-white": ["technomir", "gadgethub"]}
    for p in products:
        if p.key in force:
            p.shops = force[p.key]
    for p in products:
        p.shops = [s for s in SHOPS if s in p.shops]
    return products


# --------------------------------------------------------------------------------------------------
# Offers
# --------------------------------------------------------------------------------------------------

@dataclass
class Offer:
    shop: str
    product: Product | None
    id: str
    price: int
    old: int = 0
    available: bool = True
    pictures: list[str] = field(default_factory=list)
    barcode: bool = True  # the shop writes the product's barcode
    mpn: bool = True  # the shop writes the vendor code
    currency: str = "RUB"
    price_text: str = ""  # set for the USD offer
    extra: dict = field(default_factory=dict)


PRICE_SPREAD = {"technomir": (0.97, 1.06), "gadgethub": (0.94, 1.04), "domisad": (0.95, 1.08),
                "tropa": (0.96, 1.05)}


def picture_names(p: Product) -> tuple[str, str]:
    """(main picture, detail picture) file names for a product."""
    brand = slug(BRAND_LATIN.get(p.brand, p.brand))
    main = f"{p.kind}-{brand}-{p.colour}.jpg"
    return main, f"{p.kind}-detail.jpg"


def make_offers(products: list[Product], rng: random.Random) -> dict[str, list[Offer]]:
    offers: dict[str, list[Offer]] = {s: [] for s in SHOPS}
    counters = {"technomir": 100200, "domisad": 0, "tropa": 0}
    for p in products:
        for shop in p.shops:
            lo, hi = PRICE_SPREAD[shop]
            price = nice_price(p.price * rng.uniform(lo, hi))
            o = Offer(shop=shop, product=p, id="", price=price)
            if rng.random() < 0.26:
                o.old = nice_price(price / (1 - rng.uniform(0.07, 0.3)))
            o.available = rng.random() >= 0.1
            main, detail = picture_names(p)
            o.pictures = [f"{IMG_REL}/{main}"]
            if rng.random() < 0.65:
                o.pictures.append(f"{IMG_REL}/{detail}")
            if p.kind in ("phone", "laptop", "tablet") and rng.random() < 0.6:
                o.pictures.append(f"{IMG_REL}/{p.kind}-back.jpg")
            if shop == "technomir":
                counters[shop] += rng.randrange(3, 40)
                o.id = str(counters[shop])
                o.barcode = rng.random() >= 0.1
            elif shop == "gadgethub":
                o.id = "GH-" + re.sub(r"[^A-Z0-9]+", "-", p.mpn.upper()).strip("-")
            elif shop == "domisad":
                counters[shop] += 1
                o.id = str(38400000000 + counters[shop] * 7919 + rng.randrange(1000))
                o.barcode = rng.random() >= 0.15
            else:
                counters[shop] += 1
                o.id = f"TR-{counters[shop]:04d}"
            offers[shop].append(o)
    # special cases ------------------------------------------------------------------------------
    by_key = {(o.shop, o.product.key): o for shop in offers.values() for o in shop}
    garmin = by_key[("technomir", "garmin-forerunner-265-black")]
    garmin.currency, garmin.price_text, garmin.old = "USD", "469", 0  # 469 × 92.5 = 43 382,50 ₽
    garmin.available = True
    same = by_key[("technomir", "samsung-galaxy-a15-4gb-128gb-black")]
    same.old = same.price  # oldprice equal to price: not a discount
    for key in ("philips-series-3000-hd9350-silver", "philips-series-2200-ep2220-black",
                "tefal-sense-black"):
        by_key[("domisad", key)].barcode = False  # matched by brand + vendor code only
    for key in ("tefal-sense-black",):
        by_key[("technomir", key)].barcode = False
    two = by_key[("technomir", "apple-iphone-15-128gb-black")]
    two.extra["two_barcodes"] = True
    for key in ("apple-iphone-15-128gb-black", "samsung-galaxy-s24-8gb-256gb-black",
                "xiaomi-mi-smart-kettle-2-white", "apple-airpods-pro-2-usb-c-white"):
        for shop in ("technomir", "gadgethub", "domisad"):
            if (shop, key) in by_key:
                by_key[(shop, key)].available = True
    # the refurbished phone Gadget Hub lists (site.yml filters it out by keyword)
    iphone13 = next(p for p in products if p.key == "apple-iphone-13-128gb-black")
    refurb = Offer(shop="gadgethub", product=None, id="GH-FLPF3-REFURB", price=38990,
                   pictures=[f"{IMG_REL}/{picture_names(iphone13)[0]}"])
    refurb.extra["refurb_of"] = iphone13
    offers["gadgethub"].append(refurb)
    # feed order: by the shop's own category, then offer id, as a shop's export would list them
    def order(o: Offer):
        k = K[(o.product or o.extra["refurb_of"]).kind]
        cat = {"technomir": k.tm, "gadgethub": k.gh, "domisad": k.ds, "tropa": k.tr}[o.shop]
        return (cat.zfill(4) if cat.isdigit() else cat, o.id.zfill(12))

    for items in offers.values():
        items.sort(key=order)
    return offers


def make_books(rng: random.Random) -> list[dict]:
    books = []
    for i, (title, author, publisher, year, pages, price, colour, series) in enumerate(BOOKS):
        body = "9785" + f"{rng.randrange(10 ** 8):08d}"
        isbn = body + str(check_digit(body))
        books.append(dict(id=f"TR-B{i + 1:03d}", title=title, author=author, publisher=publisher, year=year,
                          pages=pages, price=price, colour=colour, series=series,
                          isbn=f"{isbn[:3]}-{isbn[3]}-{isbn[4:8]}-{isbn[8:12]}-{isbn[12]}",
                          available=i != 3, old=1290 if i == 1 else 0,
                          pictures=[f"{IMG_REL}/book-{colour}.jpg"]))
    return books


# --------------------------------------------------------------------------------------------------
# Feed writers
# --------------------------------------------------------------------------------------------------

def cdata(html: str) -> str:
    assert "]]>" not in html
    return f"<![CDATA[{html}]]>"


def yml_description_html(p: Product, special: str = "") -> str:
    lead, bullets = lead_and_bullets(p)
    items = "".join(f"<li>{b}</li>" for b in bullets)
    if special == "b":
        lead = lead.replace(f"{p.brand} {p.model}", f"<b>{p.brand} {p.model}</b>", 1)
    html = f"<p>{lead}</p><ul>{items}</ul>"
    if special == "nbsp":
        html = html.replace(" мА·ч", "&nbsp;мА·ч").replace(" ГБ", "&nbsp;ГБ").replace(" Вт", "&nbsp;Вт")
        html += "<p>Официальная гарантия&nbsp;&laquo;ТехноМир&raquo;&nbsp;— 12&nbsp;месяцев.</p>"
    elif special == "script":
        html += ("<script>window.dataLayer = window.dataLayer || []; "
                 "dataLayer.push({'event': 'view_item'});</script>")
    elif special == "onclick":
        html += '<p><a href="#delivery" onclick="showDelivery(); return false;">Условия доставки</a></p>'
    return html


def tm_title(p: Product) -> str:
    return f"{K[p.kind].ru} {p.brand} {full_model(p)}, {colour_ru(p, yo=False)}"


def write_technomir(offers: list[Offer], rng: random.Random) -> bytes:
    out = io.StringIO()
    w = out.write
    w('<?xml version="1.0" encoding="windows-1251"?>\n')
    w('<yml_catalog date="2024-11-20 09:00">\n<shop>\n')
    w("  <name>ТехноМир</name>\n  <company>ООО «ТехноМир»</company>\n  <url>https://technomir.example/</url>\n")
    w("  <platform>1C-Bitrix</platform>\n")
    w('  <currencies>\n    <currency id="RUR" rate="1"/>\n    <currency id="USD" rate="92.5"/>\n  </currencies>\n')
    w("  <categories>\n")
    for cid, name, parent in TM_CATEGORIES:
        attr = f' parentId="{parent}"' if parent else ""
        w(f'    <category id="{cid}"{attr}>{escape(name)}</category>\n')
    w("  </categories>\n")
    w('  <delivery-options>\n    <option cost="0" days="1-3" order-before="15"/>\n  </delivery-options>\n')
    w("  <offers>\n")
    specials = {}
    electronics = [o for o in offers if o.product.kind in ("phone", "laptop", "tablet")]
    kitchen = [o for o in offers if o.product.kind in ("kettle", "coffee")]
    specials[id(electronics[1])] = "b"
    specials[id(electronics[5])] = "script"
    specials[id(kitchen[2])] = "onclick"
    for o in offers[::9]:
        specials.setdefault(id(o), "nbsp")
    for n, o in enumerate(offers):
        p = o.product
        vm = rng.random() < 0.45
        kind = ' type="vendor.model"' if vm else ""
        url = f"https://technomir.example/product/{slug(tm_title(p))}-{o.id}/"
        w(f'    <offer id="{o.id}"{kind} available="{"true" if o.available else "false"}">\n')
        w(f"      <url>{escape(url)}</url>\n")
        if o.currency == "USD":
            w(f"      <price>{o.price_text}</price>\n")
        else:
            w(f"      <price>{o.price}</price>\n")
            if o.old:
                w(f"      <oldprice>{o.old}</oldprice>\n")
        w(f"      <currencyId>{'USD' if o.currency == 'USD' else 'RUR'}</currencyId>\n")
        w(f"      <categoryId>{K[p.kind].tm}</categoryId>\n")
        for pic in o.pictures:
            w(f"      <picture>{pic}</picture>\n")
        w("      <delivery>true</delivery>\n")
        if vm:
            w(f"      <typePrefix>{escape(K[p.kind].ru)}</typePrefix>\n")
            w(f"      <vendor>{escape(p.brand)}</vendor>\n")
            w(f"      <model>{escape(full_model(p))} {colour_ru(p, yo=False)}</model>\n")
        else:
            w(f"      <name>{escape(tm_title(p))}</name>\n")
            w(f"      <vendor>{escape(p.brand)}</vendor>\n")
        w(f"      <vendorCode>{escape(p.mpn)}</vendorCode>\n")
        w(f"      <description>{cdata(yml_description_html(p, specials.get(id(o), '')))}</description>\n")
        if n % 4 == 0:
            w("      <sales_notes>Оплата картой, наличными или в рассрочку</sales_notes>\n")
        w("      <manufacturer_warranty>true</manufacturer_warranty>\n")
        w(f"      <country_of_origin>{p.origin}</country_of_origin>\n")
        if o.barcode:
            code = p.gtin if len(p.gtin) == 13 else "0" + p.gtin
            w(f"      <barcode>{code}</barcode>\n")
            if o.extra.get("two_barcodes"):
                w(f"      <barcode>{p.gtin}</barcode>\n")
        for name, unit, value in params(p):
            u = f' unit="{escape(unit)}"' if unit else ""
            w(f"      <param name={quoteattr(name)}{u}>{escape(value)}</param>\n")
        w("    </offer>\n")
    w("  </offers>\n</shop>\n</yml_catalog>\n")
    return out.getvalue().encode("windows-1251")  # strict: every character must exist in cp1251


def gh_title(p: Product, rng: random.Random) -> str:
    model = full_model(p, "en").replace(" мм", "mm").replace(" л", "L")
    title = f"{BRAND_LATIN.get(p.brand, p.brand).title() if p.brand in BRAND_LATIN else p.brand} {model}"
    title += f" {p.colour_en}" if p.colour_en not in title else ""
    if rng.random() < 0.3:
        title += f" ({p.mpn})"
    return title


def write_gadgethub(offers: list[Offer], rng: random.Random) -> bytes:
    out = io.StringIO()
    w = out.write
    w('<?xml version="1.0" encoding="UTF-8"?>\n')
    w('<rss version="2.0" xmlns:g="http://base.google.com/ns/1.0">\n<channel>\n')
    w("  <title>Gadget Hub</title>\n  <link>https://gadgethub.example/</link>\n")
    w("  <description>Gadget Hub — смартфоны, ноутбуки и умные гаджеты. Product feed for partners.</description>\n")
    for n, o in enumerate(offers):
        if o.product is None:  # the refurbished iPhone
            base = o.extra["refurb_of"]
            title = "Apple iPhone 13 128GB Midnight (Refurbished, восстановленный)"
            link = "https://gadgethub.example/p/apple-iphone-13-128gb-midnight-refurbished?utm_source=awin&utm_medium=affiliate"
            w("  <item>\n")
            w(f"    <g:id>{o.id}</g:id>\n    <g:title>{escape(title)}</g:title>\n")
            w("    <g:description>Восстановленный смартфон: новый аккумулятор и корпус, гарантия магазина 6 месяцев."
              "</g:description>\n")
            w(f"    <g:link>{escape(link)}</g:link>\n    <g:image_link>{o.pictures[0]}</g:image_link>\n")
            w(f"    <g:price>{o.price}.00 RUB</g:price>\n    <g:availability>in stock</g:availability>\n")
            w("    <g:condition>refurbished</g:condition>\n    <g:brand>Apple</g:brand>\n")
            w("    <g:mpn>FLPF3</g:mpn>\n    <g:identifier_exists>no</g:identifier_exists>\n")
            w(f"    <g:product_type>{escape(K[base.kind].gh)}</g:product_type>\n  </item>\n")
            continue
        p = o.product
        title = gh_title(p, rng)
        link = f"https://gadgethub.example/p/{slug(title)}?utm_source=awin&utm_medium=affiliate"
        lead, bullets = lead_and_bullets(p)
        desc = lead + " " + ". ".join(bullets) + "."
        w("  <item>\n")
        w(f"    <g:id>{o.id}</g:id>\n")
        w(f"    <g:title>{escape(title)}</g:title>\n")
        w(f"    <g:description>{escape(desc)}</g:description>\n")
        w(f"    <g:link>{escape(link)}</g:link>\n")
        w(f"    <g:image_link>{o.pictures[0]}</g:image_link>\n")
        for pic in o.pictures[1:]:
            w(f"    <g:additional_image_link>{pic}</g:additional_image_link>\n")
        w(f"    <g:availability>{'in stock' if o.available else 'out of stock'}</g:availability>\n")
        if o.old:
            w(f"    <g:price>{o.old}.00 RUB</g:price>\n")
            w(f"    <g:sale_price>{o.price}.00 RUB</g:sale_price>\n")
            if n % 3 == 0:
                w("    <g:sale_price_effective_date>2024-11-11T00:00+03:00/2024-12-01T23:59+03:00"
                  "</g:sale_price_effective_date>\n")
        else:
            w(f"    <g:price>{o.price}.00 RUB</g:price>\n")
        w("    <g:condition>new</g:condition>\n")
        w(f"    <g:brand>{escape('Yandex' if p.brand == 'Яндекс' else 'Sber' if p.brand == 'Сбер' else p.brand)}"
          "</g:brand>\n")
        w(f"    <g:gtin>{p.gtin}</g:gtin>\n")
        w(f"    <g:mpn>{escape(p.mpn)}</g:mpn>\n")
        w(f"    <g:product_type>{escape(K[p.kind].gh)}</g:product_type>\n")
        if p.group:
            w(f"    <g:item_group_id>GH-{slug(p.brand + ' ' + p.model).upper()}</g:item_group_id>\n")
        w(f"    <g:color>{escape(p.colour_en)}</g:color>\n")
        if p.price >= 30000 and n % 2 == 0:
            w("    <g:shipping>\n      <g:country>RU</g:country>\n      <g:service>Курьер</g:service>\n"
              "      <g:price>0.00 RUB</g:price>\n    </g:shipping>\n")
        w("  </item>\n")
    w("</channel>\n</rss>\n")
    return out.getvalue().encode("utf-8")


def _lc(text: str) -> str:
    """Lower-case the first letter of a Russian word (not of Bluetooth, Wi-Fi, LED...)."""
    return text[0].lower() + text[1:] if re.match(r"[А-ЯЁ][а-яё]", text) else text


CSV_COLUMNS = ["aw_product_id", "merchant_product_id", "product_name", "merchant_deep_link", "search_price",
               "rrp_price", "currency", "brand_name", "merchant_category", "merchant_image_url", "alternate_image",
               "description", "ean", "mpn", "colour", "in_stock", "delivery_cost"]


def ds_title(p: Product, rng: random.Random) -> str:
    brand = "PHILIPS" if p.brand == "Philips" else p.brand
    title = f"{K[p.kind].ru2} {brand} {full_model(p)}"
    if p.kind in ("kettle", "vacuum", "iron") and "vol" in p.spec:
        title += f", {ru_num(p.spec['vol'])} л"
    if rng.random() < 0.5 or p.family_size > 1:
        title += f", {colour_ru(p)}"
    return title


def write_domisad(offers: list[Offer], rng: random.Random) -> bytes:
    out = io.StringIO()
    wr = csv.writer(out, delimiter=",", quotechar='"', quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    wr.writerow(CSV_COLUMNS)
    multiline_done = quote_done = False
    for o in offers:
        p = o.product
        title = ds_title(p, rng)
        lead, bullets = lead_and_bullets(p)
        desc = lead + " " + bullets[0] + "".join("; " + _lc(b) for b in bullets[1:]) + "."
        if not multiline_done and p.kind == "pan":
            desc = lead + "\nОсобенности: " + ", ".join(_lc(b) for b in bullets) + ".\nГарантия 2 года."
            multiline_done = True
        if not quote_done and p.kind == "knife":
            title = title.replace("шеф", "\"шеф\"")
            desc = desc + ' Серия "Профи" для домашней кухни.'
            quote_done = True
        mpn = p.mpn.replace("/", "-") if p.key == "philips-series-3000-hd9350-silver" else p.mpn
        rrp = f"{o.old}.00" if o.old else (f"{o.price}.00" if rng.random() < 0.3 else "")
        wr.writerow([
            o.id, f"DS-{slug(p.mpn).upper()}", title,
            f"https://domisad.example/catalog/{slug(K[p.kind].ds)}/{slug(title)}-{o.id[-5:]}.html",
            f"{o.price}.00", rrp, "RUB", "PHILIPS" if p.brand == "Philips" else p.brand, K[p.kind].ds,
            o.pictures[0], o.pictures[1] if len(o.pictures) > 1 else "", desc,
            (p.gtin if len(p.gtin) == 13 else "0" + p.gtin) if o.barcode else "", mpn, colour_ru(p),
            "1" if o.available else "0", "0.00" if o.price >= 3000 else "290.00",
        ])
    return out.getvalue().encode("utf-8")


def write_tropa(offers: list[Offer], books: list[dict], rng: random.Random) -> bytes:
    out = io.StringIO()
    w = out.write
    w('<?xml version="1.0" encoding="UTF-8"?>\n')
    w('<yml_catalog date="2024-11-20T08:30:00+03:00">\n  <shop>\n')
    w("    <name>Тропа</name>\n    <company>ООО «Тропа Снаряжение»</company>\n"
      "    <url>https://tropa.example/</url>\n    <email>partners@tropa.example</email>\n")
    w('    <currencies>\n      <currency id="RUB" rate="1"/>\n    </currencies>\n    <categories>\n')
    for cid, name, parent in TR_CATEGORIES:
        attr = f' parentId="{parent}"' if parent else ""
        w(f'      <category id="{cid}"{attr}>{escape(name)}</category>\n')
    w("    </categories>\n    <offers>\n")
    group_ids: dict[str, str] = {}
    for n, o in enumerate(offers):
        p = o.product
        attrs = f'id="{o.id}" type="vendor.model" available="{"true" if o.available else "false"}"'
        if p.family_size > 1:
            gid = group_ids.setdefault(p.family, str(500 + len(group_ids)))
            attrs += f' group_id="{gid}"'
        model = full_model(p) + (f" ({colour_ru(p)})" if p.family_size > 1 or rng.random() < 0.3 else "")
        url = f"https://tropa.example/item/{o.id.lower()}-{slug(K[p.kind].ru + ' ' + p.brand + ' ' + p.model)}"
        w(f"      <offer {attrs}>\n")
        w(f"        <url>{escape(url)}</url>\n        <price>{o.price}</price>\n")
        if o.old:
            w(f"        <oldprice>{o.old}</oldprice>\n")
        w(f"        <currencyId>RUB</currencyId>\n        <categoryId>{K[p.kind].tr}</categoryId>\n")
        for pic in o.pictures:
            w(f"        <picture>{pic}</picture>\n")
        w(f"        <typePrefix>{escape(K[p.kind].ru)}</typePrefix>\n")
        w(f"        <vendor>{escape(p.brand)}</vendor>\n        <model>{escape(model)}</model>\n")
        w(f"        <vendorCode>{escape(p.mpn)}</vendorCode>\n")
        lead, bullets = lead_and_bullets(p)
        if n % 2:
            w(f"        <description>{escape(lead + ' ' + '. '.join(bullets) + '.')}</description>\n")
        else:
            items = "".join(f"<li>{b}</li>" for b in bullets)
            w(f"        <description>{cdata(f'<p>{lead}</p><ul>{items}</ul>')}</description>\n")
        w(f"        <barcode>{p.gtin if len(p.gtin) == 13 else '0' + p.gtin}</barcode>\n")
        for name, unit, value in params(p):
            u = f' unit="{escape(unit)}"' if unit else ""
            w(f"        <param name={quoteattr(name)}{u}>{escape(value)}</param>\n")
        w("      </offer>\n")
    for b in books:
        w(f'      <offer id="{b["id"]}" type="book" available="{"true" if b["available"] else "false"}">\n')
        w(f"        <url>https://tropa.example/books/{b['id'].lower()}-{slug(b['title'])[:60].rstrip('-')}</url>\n")
        w(f"        <price>{b['price']}</price>\n")
        if b["old"]:
            w(f"        <oldprice>{b['old']}</oldprice>\n")
        w("        <currencyId>RUB</currencyId>\n        <categoryId>401</categoryId>\n")
        for pic in b["pictures"]:
            w(f"        <picture>{pic}</picture>\n")
        if b["author"]:
            w(f"        <author>{escape(b['author'])}</author>\n")
        w(f"        <name>{escape(b['title'])}</name>\n")
        w(f"        <publisher>{escape(b['publisher'])}</publisher>\n")
        if b["series"]:
            w(f"        <series>{escape(b['series'])}</series>\n")
        w(f"        <year>{b['year']}</year>\n        <ISBN>{b['isbn']}</ISBN>\n")
        w("        <language>русский</language>\n        <binding>70x100/16</binding>\n")
        w(f"        <page_extent>{b['pages']}</page_extent>\n")
        w(f"        <description>{escape(book_description(b))}</description>\n")
        w("      </offer>\n")
    w("    </offers>\n  </shop>\n</yml_catalog>\n")
    return out.getvalue().encode("utf-8")


def book_description(b: dict) -> str:
    return (f"«{b['title']}» — практичный путеводитель издательства «{b['publisher']}»: маршруты с картами, "
            f"советы по снаряжению и сезонам, {b['pages']} страниц с фотографиями. Издание {b['year']} года.")


# --------------------------------------------------------------------------------------------------
# Pictures
# --------------------------------------------------------------------------------------------------

HUES = {  # picture background: top and bottom of the gradient
    "tech": ((236, 241, 248), (205, 216, 232)),
    "home": ((250, 243, 232), (236, 220, 200)),
    "light": ((252, 247, 225), (238, 226, 186)),
    "garden": ((236, 246, 232), (206, 226, 198)),
    "sport": ((230, 245, 244), (196, 224, 224)),
    "book": ((244, 238, 228), (222, 210, 190)),
}


def pictures_needed(products: list[Product], offers: dict[str, list[Offer]], books: list[dict]):
    """file name -> (kind, brand label, colour key, variant) for every picture a feed references."""
    need: dict[str, tuple[str, str, str, str]] = {}
    for p in products:
        main, detail = picture_names(p)
        need[main] = (p.kind, BRAND_LATIN.get(p.brand, p.brand).upper(), p.colour, "main")
        need[detail] = (p.kind, "", "", "detail")
        if p.kind in ("phone", "laptop", "tablet"):
            need[f"{p.kind}-back.jpg"] = (p.kind, "", "", "back")
    for b in books:
        need[f"book-{b['colour']}.jpg"] = ("book", "GUIDE", b["colour"], "main")
    referenced = {pic.rsplit("/", 1)[1] for items in offers.values() for o in items for pic in o.pictures}
    referenced |= {pic.rsplit("/", 1)[1] for b in books for pic in b["pictures"]}
    return {name: need[name] for name in sorted(referenced)}


S = 800  # drawing canvas; pictures are saved at half size (supersampled edges)
OUT_SIZE = 400
DARK = (42, 44, 50)
STEEL = (196, 200, 206)


def _mix(a, b, t):
    return tuple(round(x + (y - x) * t) for x, y in zip(a[:3], b[:3], strict=True))


def _tone(c, t=0.18):
    """A second shade of c: lighter for dark colours, darker for light ones."""
    return _mix(c, (255, 255, 255), t) if sum(c[:3]) < 300 else _mix(c, (0, 0, 0), t)


def _alpha(c, a):
    return (*c[:3], a)


def _screen(img, box, r, accent, dark=(22, 26, 36)):
    from PIL import Image, ImageDraw, ImageFilter

    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    tile = Image.new("RGBA", (w, h), (*dark, 255))
    td = ImageDraw.Draw(tile, "RGBA")
    td.ellipse((-w * 0.35, h * 0.38, w * 0.85, h * 1.25), fill=_alpha(accent, 230))
    td.ellipse((w * 0.35, -h * 0.15, w * 1.35, h * 0.55), fill=_alpha(_mix(accent, (255, 255, 255), 0.45), 170))
    tile = tile.filter(ImageFilter.GaussianBlur(max(w, h) / 14))
    td = ImageDraw.Draw(tile, "RGBA")
    td.polygon([(0, 0), (w * 0.6, 0), (0, h * 0.42)], fill=(255, 255, 255, 24))
    mask = Image.new("L", (w, h), 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, w - 1, h - 1), r, fill=255)
    img.paste(tile, (x0, y0), mask)


def _accent(c):
    grey = max(c) - min(c) < 40
    return (84, 134, 238) if grey else _mix(c, (255, 255, 255), 0.25)


def draw_phone(img, d, c, a, view):
    if view == "back":
        d.rounded_rectangle((280, 80, 520, 660), 46, fill=c)
        d.rounded_rectangle((302, 104, 430, 272), 34, fill=_tone(c, 0.12))
        for x, y in ((340, 146), (340, 228), (394, 187)):
            d.ellipse((x - 30, y - 30, x + 30, y + 30), fill=(70, 72, 80))
            d.ellipse((x - 20, y - 20, x + 20, y + 20), fill=(18, 20, 26))
            d.ellipse((x - 8, y - 12, x + 2, y - 2), fill=(120, 140, 190))
        d.ellipse((445, 120, 465, 140), fill=(250, 240, 200))
        d.rounded_rectangle((520, 210, 528, 300), 4, fill=_tone(c, 0.25))
        return
    d.rounded_rectangle((283, 78, 517, 662), 46, fill=c)
    d.rounded_rectangle((293, 88, 507, 652), 38, fill=(14, 16, 22))
    _screen(img, (302, 97, 498, 643), 32, a)
    d.ellipse((391, 112, 409, 130), fill=(8, 8, 12))
    d.rounded_rectangle((517, 210, 524, 300), 4, fill=_tone(c, 0.25))


def draw_laptop(img, d, c, a, view):
    if view == "back":
        d.rounded_rectangle((150, 470, 650, 505), 12, fill=_tone(c, 0.2))
        d.rounded_rectangle((170, 160, 630, 478), 22, fill=c)
        d.ellipse((368, 286, 432, 350), fill=_tone(c, 0.14))
        return
    d.rounded_rectangle((170, 150, 630, 462), 20, fill=c)
    d.rounded_rectangle((181, 161, 619, 451), 12, fill=(14, 16, 22))
    _screen(img, (194, 174, 606, 438), 4, a)
    d.polygon([(115, 470), (685, 470), (655, 508), (145, 508)], fill=_tone(c, 0.12))
    d.rounded_rectangle((150, 458, 650, 476), 7, fill=c)
    d.rounded_rectangle((355, 470, 445, 478), 4, fill=_tone(c, 0.3))


def draw_tablet(img, d, c, a, view):
    if view == "back":
        d.rounded_rectangle((215, 110, 585, 650), 38, fill=c)
        d.rounded_rectangle((240, 135, 320, 215), 22, fill=_tone(c, 0.12))
        d.ellipse((258, 153, 302, 197), fill=(24, 26, 32))
        d.ellipse((372, 352, 428, 408), fill=_tone(c, 0.14))
        return
    d.rounded_rectangle((215, 110, 585, 650), 38, fill=c)
    d.rounded_rectangle((227, 122, 573, 638), 28, fill=(14, 16, 22))
    _screen(img, (240, 135, 560, 625), 14, a)
    d.ellipse((394, 123, 406, 133), fill=(40, 40, 46))


def draw_headphones(img, d, c, a, view):
    d.arc((215, 115, 585, 565), 180, 360, fill=c, width=46)
    d.arc((233, 133, 567, 547), 195, 345, fill=_tone(c, 0.12), width=10)
    d.rounded_rectangle((205, 320, 248, 420), 14, fill=_tone(c, 0.2))
    d.rounded_rectangle((552, 320, 595, 420), 14, fill=_tone(c, 0.2))
    d.rounded_rectangle((180, 380, 300, 580), 56, fill=c)
    d.rounded_rectangle((500, 380, 620, 580), 56, fill=c)
    d.rounded_rectangle((262, 400, 305, 560), 20, fill=_tone(c, 0.3))
    d.rounded_rectangle((495, 400, 538, 560), 20, fill=_tone(c, 0.3))
    d.ellipse((225, 470, 245, 490), fill=a)


def draw_earbuds(img, d, c, a, view):
    for x in (335, 465):
        d.rounded_rectangle((x - 17, 230, x + 17, 370), 16, fill=c)
        d.ellipse((x - 52, 160, x + 52, 264), fill=c)
        d.ellipse((x - 30, 184, x + 14, 228), fill=(60, 62, 68))
    d.rounded_rectangle((268, 330, 532, 612), 104, fill=c)
    d.line((272, 420, 528, 420), fill=_tone(c, 0.14), width=5)
    d.ellipse((392, 520, 408, 536), fill=(90, 200, 120))


def draw_watch(img, d, c, a, view):
    strap = _tone(c, 0.22)
    d.rounded_rectangle((335, 70, 465, 300), 26, fill=strap)
    d.rounded_rectangle((335, 480, 465, 710), 26, fill=strap)
    d.rounded_rectangle((295, 220, 505, 560), 62, fill=c)
    d.rounded_rectangle((500, 330, 524, 392), 9, fill=_tone(c, 0.3))
    d.rounded_rectangle((311, 236, 489, 544), 48, fill=(10, 10, 14))
    for r, col, end in ((70, (240, 70, 90), 200), (54, (150, 230, 70), 120), (38, (70, 210, 240), 250)):
        d.arc((400 - r, 390 - r, 400 + r, 390 + r), -90, end, fill=col, width=12)


def draw_band(img, d, c, a, view):
    d.rounded_rectangle((355, 70, 445, 710), 44, fill=c)
    d.rounded_rectangle((332, 245, 468, 535), 66, fill=(20, 22, 28))
    d.rounded_rectangle((348, 263, 452, 517), 50, fill=(8, 8, 12))
    for i, w in enumerate((70, 50, 84)):
        colour = (84, 190, 240) if i else (240, 90, 110)
        d.rounded_rectangle((365, 330 + i * 46, 365 + w, 350 + i * 46), 10, fill=colour)


def draw_speaker(img, d, c, a, view):
    d.rounded_rectangle((160, 285, 640, 525), 118, fill=c)
    d.rounded_rectangle((215, 315, 585, 495), 88, fill=_tone(c, 0.1))
    for y in range(338, 480, 24):
        for x in range(250, 560, 24):
            if (x - 400) ** 2 / 165 ** 2 + (y - 405) ** 2 / 82 ** 2 < 1:
                d.ellipse((x - 5, y - 5, x + 5, y + 5), fill=_tone(c, 0.32))
    d.rounded_rectangle((140, 300, 180, 510), 16, fill=_tone(c, 0.3))
    d.rounded_rectangle((620, 300, 660, 510), 16, fill=_tone(c, 0.3))
    d.rounded_rectangle((365, 396, 435, 414), 8, fill=a)


def draw_tv(img, d, c, a, view):
    d.polygon([(205, 498), (240, 498), (195, 570), (160, 570)], fill=(52, 54, 60))
    d.polygon([(560, 498), (595, 498), (640, 570), (605, 570)], fill=(52, 54, 60))
    d.rounded_rectangle((105, 145, 695, 505), 10, fill=(26, 28, 32))
    _screen(img, (117, 157, 683, 483), 4, a)
    d.rounded_rectangle((105, 483, 695, 505), 6, fill=c)


def draw_powerbank(img, d, c, a, view):
    d.rounded_rectangle((275, 140, 525, 650), 46, fill=c)
    d.rounded_rectangle((293, 158, 507, 632), 36, fill=_tone(c, 0.06))
    for i, x in enumerate(range(340, 480, 40)):
        d.ellipse((x - 8, 570, x + 8, 586), fill=(70, 200, 120) if i < 3 else _tone(c, 0.3))
    d.rounded_rectangle((350, 128, 390, 142), 4, fill=(30, 30, 34))
    d.rounded_rectangle((410, 128, 450, 142), 4, fill=(30, 30, 34))


def draw_charger(img, d, c, a, view):
    d.rounded_rectangle((352, 500, 378, 640), 10, fill=STEEL)
    d.rounded_rectangle((422, 500, 448, 640), 10, fill=STEEL)
    d.rounded_rectangle((265, 240, 535, 520), 54, fill=c)
    d.rounded_rectangle((285, 260, 515, 500), 42, fill=_tone(c, 0.05))
    d.rounded_rectangle((365, 360, 435, 392), 12, fill=(30, 30, 34))


def draw_kettle(img, d, c, a, view):
    dark = (44, 44, 50) if sum(c) > 300 else (150, 152, 160)
    d.arc((455, 250, 650, 540), -85, 85, fill=dark, width=36)
    d.polygon([(305, 300), (222, 252), (210, 272), (292, 352)], fill=c)
    d.polygon([(298, 245), (502, 245), (545, 595), (255, 595)], fill=c)
    d.rounded_rectangle((336, 300, 362, 560), 12, fill=(160, 200, 230, 200))
    d.ellipse((292, 220, 508, 276), fill=_tone(c, 0.12))
    d.rounded_rectangle((380, 196, 420, 234), 12, fill=dark)
    d.rounded_rectangle((240, 585, 560, 632), 20, fill=dark)
    d.ellipse((390, 600, 410, 616), fill=(90, 170, 255))


def draw_coffee(img, d, c, a, view):
    d.rounded_rectangle((245, 140, 555, 630), 36, fill=c)
    d.rounded_rectangle((265, 160, 535, 280), 22, fill=_tone(c, 0.14))
    for x in (310, 360, 440, 490):
        d.ellipse((x - 13, 207, x + 13, 233), fill=(230, 180, 110))
    d.rounded_rectangle((280, 295, 520, 570), 26, fill=_tone(c, 0.3))
    d.rounded_rectangle((368, 300, 432, 350), 10, fill=(170, 172, 178))
    d.arc((430, 440, 480, 490), -90, 90, fill=(245, 245, 245), width=12)
    d.rounded_rectangle((350, 420, 450, 520), 16, fill=(245, 245, 245))
    d.ellipse((358, 420, 442, 440), fill=(120, 70, 40))
    d.rounded_rectangle((290, 520, 510, 560), 10, fill=_tone(c, 0.45))


def draw_blender(img, d, c, a, view):
    d.polygon([(290, 175), (510, 175), (480, 505), (320, 505)], fill=(214, 230, 242, 170))
    d.polygon([(303, 330), (497, 330), (480, 505), (320, 505)], fill=(232, 120, 140, 220))
    d.rounded_rectangle((500, 210, 545, 450), 18, fill=(70, 72, 80, 220))
    d.rounded_rectangle((280, 145, 520, 185), 14, fill=(44, 46, 52))
    d.rounded_rectangle((295, 495, 505, 635), 32, fill=c)
    d.ellipse((372, 540, 428, 596), fill=_tone(c, 0.25))


def draw_multicooker(img, d, c, a, view):
    d.rounded_rectangle((205, 300, 595, 610), 76, fill=c)
    d.ellipse((200, 220, 600, 370), fill=_tone(c, 0.14))
    d.ellipse((455, 258, 491, 294), fill=(60, 62, 70))
    d.rounded_rectangle((350, 205, 450, 236), 12, fill=(60, 62, 70))
    d.rounded_rectangle((320, 430, 480, 500), 14, fill=(20, 24, 30))
    for i in range(3):
        d.rounded_rectangle((345 + i * 40, 452, 370 + i * 40, 478), 4, fill=(255, 150, 60))


def draw_airfryer(img, d, c, a, view):
    d.rounded_rectangle((250, 160, 550, 630), 84, fill=c)
    d.ellipse((355, 200, 445, 290), fill=(24, 26, 32))
    d.arc((362, 207, 438, 283), 120, 400, fill=(255, 150, 60), width=7)
    d.rounded_rectangle((272, 330, 528, 600), 56, fill=_tone(c, 0.12))
    d.rounded_rectangle((345, 420, 455, 470), 20, fill=_tone(c, 0.35))


def draw_pan(img, d, c, a, view):
    d.line((470, 405, 715, 330), fill=(40, 40, 44), width=40)
    d.ellipse((690, 312, 730, 352), fill=(40, 40, 44))
    d.ellipse((120, 255, 540, 565), fill=c)
    d.ellipse((150, 280, 510, 540), fill=_tone(c, 0.12))
    d.arc((180, 300, 480, 520), 200, 260, fill=(255, 255, 255, 60), width=10)


def draw_knife(img, d, c, a, view):
    d.polygon([(110, 440), (520, 355), (545, 355), (545, 455), (150, 462)], fill=(208, 212, 218))
    d.line((140, 458, 545, 452), fill=(236, 238, 242), width=6)
    d.rounded_rectangle((530, 350, 725, 460), 30, fill=c)
    for x in (600, 665):
        d.ellipse((x - 10, 395, x + 10, 415), fill=STEEL)


def draw_lamp(img, d, c, a, view):
    d.polygon([(455, 260), (585, 300), (660, 580), (360, 580)], fill=(255, 236, 170, 70))
    d.line([(352, 598), (318, 380), (470, 235)], fill=_tone(c, 0.2), width=24, joint="curve")
    d.ellipse((300, 362, 336, 398), fill=_tone(c, 0.3))
    d.polygon([(420, 175), (610, 240), (582, 305), (400, 240)], fill=c)
    d.ellipse((240, 580, 460, 648), fill=c)


def draw_bulb(img, d, c, a, view):
    for r, al in ((205, 40), (175, 50)):
        d.ellipse((400 - r, 250 - r, 400 + r, 250 + r), fill=(255, 232, 150, al))
    glass = _alpha(_mix(c, (255, 252, 235), 0.6), 245)
    d.ellipse((288, 130, 512, 354), fill=glass)
    d.polygon([(330, 310), (470, 310), (446, 430), (354, 430)], fill=glass)
    d.line([(370, 330), (380, 260), (400, 290), (420, 260), (430, 330)], fill=(245, 170, 60), width=6)
    d.rounded_rectangle((350, 425, 450, 522), 12, fill=(192, 194, 200))
    for y in range(445, 515, 20):
        d.line((352, y, 448, y + 6), fill=(150, 152, 158), width=5)
    d.polygon([(372, 522), (428, 522), (412, 552), (388, 552)], fill=(60, 60, 66))


def draw_ceiling(img, d, c, a, view):
    d.ellipse((140, 380, 660, 610), fill=(255, 240, 180, 60))
    d.rounded_rectangle((392, 90, 408, 270), 6, fill=(130, 130, 136))
    d.rounded_rectangle((335, 75, 465, 100), 10, fill=c)
    d.ellipse((155, 245, 645, 405), fill=c)
    d.ellipse((185, 300, 615, 420), fill=(255, 250, 232))


def draw_vacuum(img, d, c, a, view):
    d.line((455, 160, 385, 565), fill=(74, 76, 84), width=26)
    d.rounded_rectangle((245, 548, 470, 618), 28, fill=(52, 54, 60))
    d.rounded_rectangle((265, 594, 450, 606), 5, fill=a)
    d.arc((470, 60, 610, 240), -100, 95, fill=_tone(c, 0.15), width=28)
    d.rounded_rectangle((410, 110, 535, 330), 42, fill=c)
    d.rounded_rectangle((425, 300, 520, 440), 30, fill=(200, 222, 238, 190))
    d.rounded_rectangle((445, 320, 500, 420), 16, fill=_alpha(a, 200))
    d.rounded_rectangle((528, 160, 568, 300), 14, fill=_tone(c, 0.25))


def draw_robot(img, d, c, a, view):
    d.ellipse((165, 330, 635, 585), fill=(50, 52, 58))
    d.ellipse((165, 300, 635, 555), fill=c)
    d.ellipse((195, 318, 605, 535), fill=_tone(c, 0.06))
    d.rounded_rectangle((340, 300, 460, 350), 20, fill=_tone(c, 0.2))
    d.ellipse((340, 282, 460, 325), fill=_tone(c, 0.28))
    d.ellipse((388, 440, 412, 464), fill=a)


def draw_iron(img, d, c, a, view):
    d.line([(315, 368), (335, 250), (545, 250), (585, 372)], fill=_tone(c, 0.25), width=36, joint="curve")
    d.polygon([(140, 522), (610, 522), (610, 440), (525, 355), (295, 355)], fill=c)
    d.polygon([(215, 500), (340, 420), (340, 500)], fill=(210, 230, 245, 170))
    d.ellipse((445, 395, 505, 455), fill=(242, 242, 242))
    d.polygon([(140, 522), (610, 522), (610, 550), (180, 550)], fill=(196, 200, 206))


def draw_drill(img, d, c, a, view):
    d.line((80, 300, 190, 300), fill=STEEL, width=14)
    d.rounded_rectangle((175, 262, 262, 338), 16, fill=(40, 40, 46))
    d.polygon([(370, 350), (485, 350), (458, 565), (352, 565)], fill=(44, 44, 50))
    d.rounded_rectangle((335, 375, 372, 435), 10, fill=(70, 72, 78))
    d.rounded_rectangle((250, 215, 525, 385), 64, fill=c)
    for x in (440, 460, 480):
        d.line((x, 250, x, 350), fill=_tone(c, 0.3), width=6)
    d.rounded_rectangle((300, 545, 520, 655), 24, fill=c)
    d.rounded_rectangle((300, 545, 520, 580), 12, fill=(44, 44, 50))


def draw_saw(img, d, c, a, view):
    d.rounded_rectangle((98, 368, 432, 462), 46, outline=(60, 60, 66), width=8)
    d.rounded_rectangle((108, 378, 422, 452), 37, fill=(200, 204, 210))
    d.arc((420, 190, 670, 430), 180, 360, fill=(40, 40, 46), width=30)
    d.rounded_rectangle((380, 295, 645, 525), 54, fill=c)
    d.rounded_rectangle((600, 430, 700, 482), 20, fill=(40, 40, 46))
    d.rounded_rectangle((430, 330, 560, 370), 12, fill=_tone(c, 0.25))


def draw_mower(img, d, c, a, view):
    d.line([(470, 430), (590, 150), (705, 150), (650, 430)], fill=(64, 66, 72), width=16, joint="curve")
    d.rounded_rectangle((450, 320, 660, 478), 34, fill=_mix(c, (50, 50, 50), 0.35))
    for x in range(480, 640, 22):
        d.line((x, 340, x, 460), fill=_mix(c, (90, 90, 90), 0.5), width=4)
    d.rounded_rectangle((140, 400, 570, 545), 56, fill=c)
    d.ellipse((190, 365, 520, 470), fill=_tone(c, 0.15))
    for x in (215, 495):
        d.ellipse((x - 55, 490, x + 55, 600), fill=(40, 40, 46))
        d.ellipse((x - 20, 525, x + 20, 565), fill=(150, 152, 158))


def draw_trimmer(img, d, c, a, view):
    d.line((235, 630, 560, 150), fill=(70, 72, 78), width=18)
    d.arc((130, 560, 340, 720), 190, 350, fill=c, width=26)
    d.ellipse((205, 605, 265, 665), fill=(40, 40, 46))
    d.line((375, 360, 455, 430), fill=c, width=26)
    d.rounded_rectangle((500, 90, 630, 210), 34, fill=c)
    d.line((520, 215, 585, 275), fill=(40, 40, 46), width=30)


def draw_secateurs(img, d, c, a, view):
    d.polygon([(385, 340), (425, 336), (335, 105), (300, 140)], fill=(205, 209, 215))
    d.polygon([(385, 340), (350, 336), (455, 120), (480, 160)], fill=(165, 169, 176))
    d.polygon([(360, 330), (405, 330), (470, 660), (418, 672)], fill=c)
    d.polygon([(410, 330), (370, 330), (330, 665), (382, 674)], fill=_tone(c, 0.25))
    d.line([(378, 470), (400, 490), (380, 510), (402, 530)], fill=STEEL, width=5)
    d.ellipse((366, 318, 404, 356), fill=(60, 62, 68))


def draw_shovel(img, d, c, a, view):
    d.line((400, 120, 400, 480), fill=(160, 118, 74), width=28)
    d.rounded_rectangle((335, 88, 465, 132), 20, fill=c)
    d.polygon([(318, 482), (482, 482), (476, 622), (400, 698), (324, 622)], fill=(192, 196, 202))
    d.rounded_rectangle((312, 470, 488, 494), 8, fill=(164, 168, 176))
    d.rounded_rectangle((384, 440, 416, 500), 8, fill=c)


def draw_hose(img, d, c, a, view):
    d.rounded_rectangle((205, 540, 595, 575), 12, fill=(70, 72, 78))
    for i in range(7):
        inset = i * 13
        d.ellipse((225 + inset, 175 + inset, 575 - inset, 525 - inset), outline=c if i % 2 == 0 else _tone(c, 0.2),
                  width=15)
    d.ellipse((360, 310, 440, 390), fill=(60, 62, 70))
    d.line([(560, 410), (640, 520), (680, 590)], fill=c, width=18, joint="curve")
    d.rounded_rectangle((655, 580, 725, 640), 16, fill=a)


def draw_tent(img, d, c, a, view):
    for x in (80, 720):
        d.line((400, 190, x, 630), fill=(150, 150, 150), width=3)
    d.polygon([(120, 610), (400, 185), (680, 610)], fill=c)
    d.polygon([(400, 185), (680, 610), (480, 610)], fill=_tone(c, 0.14))
    d.polygon([(318, 610), (400, 380), (482, 610)], fill=(38, 42, 38))
    d.line((400, 185, 120, 610), fill=(70, 70, 70), width=6)
    d.line((400, 185, 680, 610), fill=(70, 70, 70), width=6)
    d.line((400, 380, 440, 470), fill=(236, 200, 90), width=6)


def draw_backpack(img, d, c, a, view):
    d.arc((355, 130, 445, 220), 180, 360, fill=(40, 40, 46), width=12)
    d.rounded_rectangle((262, 180, 538, 655), 84, fill=c)
    d.rounded_rectangle((272, 168, 528, 315), 64, fill=_tone(c, 0.12))
    d.rounded_rectangle((312, 430, 488, 625), 44, fill=_tone(c, 0.12))
    d.rounded_rectangle((262, 360, 538, 378), 6, fill=(40, 40, 46))
    d.line((330, 470, 470, 470), fill=_tone(c, 0.35), width=5)
    d.rounded_rectangle((380, 520, 420, 545), 6, fill=a)


def draw_sleepingbag(img, d, c, a, view):
    d.rounded_rectangle((200, 320, 625, 545), 110, fill=c)
    d.ellipse((160, 320, 385, 545), fill=_tone(c, 0.14))
    for inset in (25, 50, 75):
        d.arc((160 + inset, 320 + inset, 385 - inset, 545 - inset), 20, 330, fill=c, width=10)
    for x in (420, 540):
        d.rounded_rectangle((x, 314, x + 22, 551), 6, fill=(40, 40, 46))


def draw_thermos(img, d, c, a, view):
    d.rounded_rectangle((335, 100, 465, 232), 32, fill=_tone(c, 0.15))
    d.rounded_rectangle((328, 212, 472, 242), 8, fill=(44, 44, 50))
    d.rounded_rectangle((318, 232, 482, 665), 40, fill=c)
    d.rounded_rectangle((340, 262, 360, 632), 10, fill=(255, 255, 255, 45))
    d.rounded_rectangle((318, 560, 482, 588), 4, fill=_tone(c, 0.18))


def draw_headlamp(img, d, c, a, view):
    d.polygon([(360, 405), (70, 290), (70, 525)], fill=(255, 244, 196, 80))
    d.ellipse((180, 300, 620, 565), outline=(80, 110, 160), width=30)
    d.rounded_rectangle((300, 338, 500, 472), 44, fill=c)
    d.ellipse((322, 357, 418, 453), fill=(226, 234, 242))
    d.ellipse((342, 377, 398, 433), fill=(255, 250, 215))
    d.rounded_rectangle((448, 372, 476, 438), 10, fill=(240, 120, 40))


def draw_flashlight(img, d, c, a, view):
    d.polygon([(180, 335), (35, 230), (35, 530), (180, 425)], fill=(255, 244, 196, 80))
    d.rounded_rectangle((265, 348, 640, 412), 26, fill=c)
    for x in range(470, 600, 22):
        d.line((x, 352, x, 408), fill=_tone(c, 0.2), width=6)
    d.rounded_rectangle((160, 318, 292, 442), 22, fill=c)
    d.ellipse((172, 332, 232, 428), fill=(240, 242, 236))
    d.rounded_rectangle((626, 342, 672, 418), 14, fill=_tone(c, 0.2))
    d.ellipse((400, 334, 428, 362), fill=(240, 120, 40))


def draw_burner(img, d, c, a, view):
    for x in (345, 400, 455):
        d.polygon([(x, 205), (x - 18, 262), (x + 18, 262)], fill=(80, 140, 255, 210))
    for x2, y2 in ((250, 215), (550, 215), (400, 190)):
        d.line((400, 300, x2, y2), fill=c, width=12)
    d.polygon([(330, 300), (470, 300), (448, 262), (352, 262)], fill=_tone(c, 0.2))
    d.rounded_rectangle((380, 296, 420, 400), 10, fill=c)
    d.rounded_rectangle((285, 385, 515, 655), 56, fill=(228, 120, 44))
    d.ellipse((285, 372, 515, 430), fill=(200, 102, 36))
    d.rounded_rectangle((320, 470, 480, 560), 10, fill=(250, 250, 250))


def draw_poles(img, d, c, a, view):
    for (x0, y0, x1, y1), col in (((250, 110, 470, 670), c), ((550, 110, 330, 670), _tone(c, 0.2))):
        d.line((x0, y0, x1, y1), fill=col, width=14)
        dx, dy = (x1 - x0) / 560, (y1 - y0) / 560
        d.line((x0, y0, x0 + dx * 120, y0 + dy * 120), fill=(40, 40, 46), width=36)
        bx, by = x0 + dx * 500, y0 + dy * 500
        d.ellipse((bx - 30, by - 10, bx + 30, by + 10), outline=(40, 40, 46), width=6)


def draw_mat(img, d, c, a, view):
    d.polygon([(230, 470), (615, 470), (705, 600), (300, 600)], fill=_tone(c, 0.1))
    d.rounded_rectangle((185, 325, 620, 475), 75, fill=c)
    d.ellipse((150, 325, 300, 475), fill=_tone(c, 0.18))
    for inset in (20, 40, 58):
        d.arc((150 + inset, 325 + inset, 300 - inset, 475 - inset), 30, 320, fill=c, width=8)
    d.rounded_rectangle((430, 318, 452, 482), 6, fill=(40, 40, 46))


def draw_dumbbell(img, d, c, a, view):
    d.rounded_rectangle((245, 382, 555, 418), 12, fill=(182, 186, 192))
    for x in range(360, 445, 14):
        d.line((x, 384, x, 416), fill=(150, 152, 158), width=3)
    for x0, x1 in ((225, 290), (510, 575)):
        d.rounded_rectangle((x0, 290, x1, 510), 18, fill=c)
    for x0, x1 in ((185, 232), (568, 615)):
        d.rounded_rectangle((x0, 320, x1, 480), 16, fill=_tone(c, 0.12))


def draw_bike(img, d, c, a, view):
    for x in (230, 570):
        d.ellipse((x - 122, 378, x + 122, 622), outline=(40, 40, 46), width=16)
        d.ellipse((x - 14, 486, x + 14, 514), fill=(120, 120, 126))
    frame = [(230, 500), (395, 505), (545, 340), (350, 330), (230, 500)]
    d.line(frame, fill=c, width=18, joint="curve")
    d.line((350, 330, 395, 505), fill=c, width=18)
    d.line((545, 340, 570, 500), fill=_tone(c, 0.2), width=14)
    d.line((545, 340, 550, 290), fill=(60, 60, 66), width=12)
    d.line((515, 290, 590, 290), fill=(40, 40, 46), width=14)
    d.line((350, 330, 340, 300), fill=(60, 60, 66), width=10)
    d.rounded_rectangle((295, 285, 385, 310), 12, fill=(40, 40, 46))


def draw_scooter(img, d, c, a, view):
    d.line((535, 585, 495, 165), fill=_tone(c, 0.15), width=24)
    d.line((425, 165, 575, 165), fill=(40, 40, 46), width=20)
    d.rounded_rectangle((175, 555, 560, 600), 20, fill=c)
    for x in (195, 575):
        d.ellipse((x - 55, 550, x + 55, 660), fill=(40, 40, 46))
        d.ellipse((x - 18, 587, x + 18, 623), fill=(150, 150, 156))


def draw_book(img, d, c, a, view):
    d.rounded_rectangle((540, 122, 562, 650), 4, fill=(246, 240, 228))
    d.rounded_rectangle((262, 108, 548, 662), 10, fill=c)
    d.rounded_rectangle((262, 108, 300, 662), 10, fill=_tone(c, 0.2))
    d.ellipse((448, 250, 504, 306), fill=(250, 214, 110))
    d.polygon([(322, 480), (405, 330), (448, 400), (478, 362), (530, 480)], fill=(255, 255, 255, 225))
    d.rounded_rectangle((325, 175, 510, 200), 6, fill=(255, 255, 255, 235))
    d.rounded_rectangle((325, 215, 450, 232), 6, fill=(255, 255, 255, 170))
    d.rounded_rectangle((325, 560, 470, 576), 6, fill=(255, 255, 255, 170))


DRAW = {name[5:]: fn for name, fn in globals().items() if name.startswith("draw_")}


def render(kind: str, label: str, colour: str, view: str) -> bytes:
    """One product picture: a gradient backdrop, a soft ground shadow, the item, the brand."""
    from PIL import Image, ImageDraw, ImageFilter, ImageFont

    hue = "book" if kind == "book" else K[kind].hue
    top, bottom = HUES[hue]
    if view != "main":
        top, bottom = _mix(bottom, (255, 255, 255), 0.2), _mix(top, (0, 0, 0), 0.04)
    grad = Image.linear_gradient("L").resize((S, S))
    bg = Image.composite(Image.new("RGBA", (S, S), (*bottom, 255)), Image.new("RGBA", (S, S), (*top, 255)), grad)
    body = COLOURS[colour][1] if colour else COLOURS["silver"][1]
    layer = Image.new("RGBA", (S, S), (0, 0, 0, 0))
    DRAW[kind](layer, ImageDraw.Draw(layer, "RGBA"), body, _accent(body), view)
    if view == "detail":  # another angle: the same drawing turned a little and fitted to the frame
        layer = layer.rotate(14, resample=Image.BICUBIC, expand=True)
        box = layer.getbbox()
        layer = layer.crop(box)
        scale = min(600 / layer.width, 560 / layer.height)
        layer = layer.resize((round(layer.width * scale), round(layer.height * scale)), Image.LANCZOS)
        framed = Image.new("RGBA", (S, S), (0, 0, 0, 0))
        framed.alpha_composite(layer, ((S - layer.width) // 2, 400 - layer.height // 2))
        layer = framed
    x0, _, x1, y1 = layer.getbbox()
    shadow = Image.new("L", (S, S), 0)
    inset = (x1 - x0) * 0.12
    ImageDraw.Draw(shadow).ellipse((x0 + inset, min(y1, 690) - 16, x1 - inset, min(y1, 690) + 20), fill=90)
    shadow = shadow.filter(ImageFilter.GaussianBlur(16))
    bg = Image.composite(Image.new("RGBA", (S, S), (40, 44, 56, 255)), bg, shadow)
    bg.alpha_composite(layer)
    if label:
        font = ImageFont.load_default(size=46)
        d = ImageDraw.Draw(bg)
        w = d.textlength(label, font=font)
        d.text(((S - w) / 2, 706), label, font=font, fill=(64, 68, 80))
    out = io.BytesIO()
    bg.convert("RGB").resize((OUT_SIZE, OUT_SIZE), Image.LANCZOS).save(out, "JPEG", quality=70, optimize=True)
    return out.getvalue()


def render_pictures(need: dict) -> dict[str, bytes]:
    return {name: render(*spec) for name, spec in need.items()}


# --------------------------------------------------------------------------------------------------
# --check: parse what is on disk, count, and cross-check with site.yml
# --------------------------------------------------------------------------------------------------

def _gtin14(code: str) -> str:
    code = code.strip().replace("-", "")
    return code.zfill(14) if gtin_ok(code) else ""


def _texts(element, ns: str = ""):
    """tag -> the trimmed text of element's child (or "")."""
    return lambda tag: (element.findtext(ns + tag) or "").strip()


def _read_yml(path: Path, shop: str) -> list[dict]:
    from lxml import etree

    tree = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True))
    cats = {c.get("id"): (c.text or "", c.get("parentId") or "") for c in tree.iterfind(".//categories/category")}

    def path_of(cid):
        out = []
        while cid in cats and len(out) < 10:
            out.append(cats[cid][0])
            cid = cats[cid][1]
        return out[::-1]

    rows = []
    for o in tree.iterfind(".//offers/offer"):
        t = _texts(o)
        if o.get("type") == "vendor.model":
            title = " ".join(x for x in (t("typePrefix"), t("vendor"), t("model")) if x)
        else:
            title = t("name")
        cid = t("categoryId")
        rows.append(dict(shop=shop, id=o.get("id"), title=title, brand=t("vendor"), mpn=t("vendorCode"),
                         codes=[b.text.strip() for b in o.iterfind("barcode")] + ([t("ISBN")] if t("ISBN") else []),
                         price=t("price"), old=t("oldprice"), currency=t("currencyId"),
                         available=o.get("available") != "false", cat_id=cid, cat_path=path_of(cid),
                         pictures=[p.text.strip() for p in o.iterfind("picture")], type=o.get("type") or "",
                         description=t("description")))
    return rows


def _read_merchant(path: Path) -> list[dict]:
    from lxml import etree

    g = "{http://base.google.com/ns/1.0}"
    tree = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True))
    rows = []
    for it in tree.iterfind(".//item"):
        t = _texts(it, g)
        sale = t("sale_price")
        price, old = (sale, t("price")) if sale else (t("price"), "")
        rows.append(dict(shop="gadgethub", id=t("id"), title=t("title"), brand=t("brand"), mpn=t("mpn"),
                         codes=[t("gtin")] if t("gtin") else [], price=price.split()[0],
                         old=old.split()[0] if old else "", currency=price.split()[-1],
                         available=t("availability") == "in stock", cat_id="",
                         cat_path=[x.strip() for x in t("product_type").split(">")],
                         pictures=[t("image_link")] + [e.text for e in it.iterfind(g + "additional_image_link")],
                         group=t("item_group_id"), type="", description=t("description")))
    return rows


def _read_csv(path: Path) -> list[dict]:
    rows = []
    with open(path, encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f, delimiter=","):
            rows.append(dict(shop="domisad", id=r["aw_product_id"], title=r["product_name"], brand=r["brand_name"],
                             mpn=r["mpn"], codes=[r["ean"]] if r["ean"] else [], price=r["search_price"],
                             old=r["rrp_price"], currency=r["currency"], available=r["in_stock"] == "1",
                             cat_id="", cat_path=[r["merchant_category"]],
                             pictures=[x for x in (r["merchant_image_url"], r["alternate_image"]) if x], type="",
                             description=r["description"]))
    return rows


def check(out: Path, site_yml: Path) -> int:
    import yaml

    problems: list[str] = []
    raw = (out / "technomir.yml").read_bytes()
    if not raw.startswith(b'<?xml version="1.0" encoding="windows-1251"?>'):
        problems.append("technomir.yml: does not declare windows-1251")
    try:
        raw.decode("utf-8")
        problems.append("technomir.yml: decodes as UTF-8 (expected windows-1251 bytes)")
    except UnicodeDecodeError:
        pass
    raw.decode("windows-1251")
    offers = (_read_yml(out / "technomir.yml", "technomir") + _read_merchant(out / "gadgethub.xml")
              + _read_csv(out / "domisad.csv") + _read_yml(out / "tropa.yml", "tropa"))
    site = yaml.safe_load(site_yml.read_text(encoding="utf-8")) if site_yml.exists() else None

    # filters and category maps from site.yml, as the importer applies them
    def site_paths(nodes, prefix=""):
        for n in nodes:
            yield prefix + n["slug"]
            yield from site_paths(n.get("children", []), prefix + n["slug"] + "/")

    tree_paths = set(site_paths(site["categories"])) if site else set()
    feed_of = {}
    if site:
        for name, feed in site["feeds"].items():
            feed_of[Path(feed["source"]).name] = (name, feed)
    shop_file = {"technomir": "technomir.yml", "gadgethub": "gadgethub.xml", "domisad": "domisad.csv",
                 "tropa": "tropa.yml"}
    kept, filtered, unmapped = [], [], {}
    for o in offers:
        name, feed = feed_of.get(shop_file[o["shop"]], (o["shop"], {}))
        words = [w.casefold() for w in feed.get("filters", {}).get("exclude_keywords", [])]
        if any(w in o["title"].casefold() for w in words):
            filtered.append(o)
            continue
        kept.append(o)
        cmap = {str(k).casefold(): v for k, v in (feed.get("category_map") or {}).items()}
        path = o["cat_path"]
        target = next((cmap[" > ".join(path[:i]).casefold()] for i in range(len(path), 0, -1)
                       if " > ".join(path[:i]).casefold() in cmap), None)
        target = target or cmap.get(o["cat_id"].casefold()) or cmap.get(path[-1].casefold() if path else "")
        if target is None:
            unmapped.setdefault(f"{name}: {' > '.join(path)}", 0)
            unmapped[f"{name}: {' > '.join(path)}"] += 1
        elif target not in tree_paths:
            problems.append(f"{name}: category_map target {target!r} is not in the site tree")
    if site:
        for name, feed in site["feeds"].items():
            for target in (feed.get("category_map") or {}).values():
                if target not in tree_paths:
                    problems.append(f"{name}: category_map target {target!r} is not in the site tree")

    # barcodes and pictures
    for o in offers:
        for code in o["codes"]:
            if not gtin_ok(code):
                problems.append(f"{o['shop']} {o['id']}: bad barcode {code!r}")
        for pic in o["pictures"]:
            if not (ROOT / pic).is_file():
                problems.append(f"{o['shop']} {o['id']}: missing picture {pic}")
    ids = [(o["shop"], o["id"]) for o in offers]
    if len(ids) != len(set(ids)):
        problems.append("duplicate offer ids")
    images = sorted(IMG_DIR.glob("*.jpg"))
    referenced = {Path(p).name for o in offers for p in o["pictures"]}
    unused = [p.name for p in images if p.name not in referenced]
    if unused:
        problems.append(f"unreferenced pictures: {unused[:5]}")

    # products: union of offers sharing a GTIN or a brand + vendor code (as showcase.catalog keys them)
    parent = list(range(len(kept)))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first: dict[str, int] = {}
    for i, o in enumerate(kept):
        keys = [f"g:{g}" for g in map(_gtin14, o["codes"][:1]) if g]
        norm = lambda s: re.sub(r"[^0-9a-zа-яё]+", "", s.casefold())  # noqa: E731
        if o["brand"] and o["mpn"] and norm(o["brand"]) and norm(o["mpn"]):
            keys.append(f"v:{norm(o['brand'])}|{norm(o['mpn'])}")
        for k in keys:
            if k in first:
                parent[find(i)] = find(first[k])
            else:
                first[k] = i
    groups: dict[int, list[dict]] = {}
    for i, o in enumerate(kept):
        groups.setdefault(find(i), []).append(o)
    multi = [g for g in groups.values() if len({o["shop"] for o in g}) >= 2]
    three = [g for g in multi if len({o["shop"] for o in g}) >= 3]
    same_shop = [g for g in groups.values() if len(g) != len({o["shop"] for o in g})]
    if same_shop:
        problems.append(f"{len(same_shop)} products have two offers from one shop")
    mpn_only = [g for g in multi if len({_gtin14(o["codes"][0]) for o in g if o["codes"]}) <= 1
                and any(not o["codes"] for o in g)]

    def money(s):
        return float(s.replace(",", ".")) if s else 0.0

    disc = [o for o in offers if o["old"] and money(o["old"]) > money(o["price"])]
    unavailable = [o for o in offers if not o["available"]]
    by_shop = {s: sum(1 for o in offers if o["shop"] == s) for s in SHOPS}
    size = sum(p.stat().st_size for p in images)
    largest = max((p.stat().st_size for p in images), default=0)
    print(f"offers in feeds:     {len(offers)}  " + ", ".join(f"{s} {n}" for s, n in by_shop.items()))
    print(f"filtered by site.yml: {len(filtered)}  " + ", ".join(o["title"] for o in filtered))
    print(f"products:            {len(groups)}  (from {len(kept)} offers)")
    print(f"multi-shop products: {len(multi)}  (3+ shops: {len(three)}; matched only by brand + vendor code "
          f"in some shop: {len(mpn_only)})")
    print(f"discounted offers:   {len(disc)} ({100 * len(disc) / len(offers):.0f}%)")
    print(f"unavailable offers:  {len(unavailable)} ({100 * len(unavailable) / len(offers):.0f}%)")
    print("currencies:          " + ", ".join(sorted({o['currency'] for o in offers})))
    print(f"book offers:         {sum(1 for o in offers if o['type'] == 'book')}")
    print(f"pictures:            {len(images)} files, {size / 1024:.0f} KB, largest {largest / 1024:.1f} KB")
    print("unmapped categories: " + ("; ".join(f"{k} ({n})" for k, n in unmapped.items()) or "none"))
    for p in problems:
        print("PROBLEM:", p)
    return 1 if problems else 0


# --------------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------------

def generate() -> dict[str, bytes]:
    rng = random.Random(SEED)
    products = build_catalogue(rng)
    offers = make_offers(products, rng)
    books = make_books(rng)
    files = {
        "technomir.yml": write_technomir(offers["technomir"], rng),
        "gadgethub.xml": write_gadgethub(offers["gadgethub"], rng),
        "domisad.csv": write_domisad(offers["domisad"], rng),
        "tropa.yml": write_tropa(offers["tropa"], books, rng),
    }
    for name, data in render_pictures(pictures_needed(products, offers, books)).items():
        files[f"images/{name}"] = data
    return files


def write(files: dict[str, bytes]) -> None:
    IMG_DIR.mkdir(parents=True, exist_ok=True)
    keep = {OUT / n for n in files} | {OUT / "README.md"}
    for old in list(IMG_DIR.glob("*.jpg")) + list(OUT.glob("*.*")):
        if old not in keep:
            old.unlink()
    for name, data in files.items():
        path = OUT / name
        if not path.exists() or path.read_bytes() != data:
            tmp = path.with_name(path.name + ".tmp")
            tmp.write_bytes(data)
            tmp.replace(path)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="parse feeds/demo and print the counts; write nothing")
    args = ap.parse_args(argv)
    if args.check:
        return check(OUT, ROOT / "site.yml")
    files = generate()
    write(files)
    size = sum(len(d) for n, d in files.items() if n.startswith("images/"))
    print(f"wrote {len(files) - 4} pictures ({size / 1024:.0f} KB) and 4 feeds to {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
