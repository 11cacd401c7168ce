//! The one diesel schema for every backend (vaultwarden style); it mirrors
//! `migrations/sqlite/*/up.sql`.

diesel::table! {
    authors (id) {
        id -> Integer,
        name -> Text,
        created_at -> Timestamp,
        manual_trigger_codes -> Bool,
    }
}

diesel::table! {
    offline_requests (id) {
        id -> BigInt,
        key_id -> Text,
        subject -> Text,
        session_code -> Text,
        answered_at -> Timestamp,
    }
}

diesel::table! {
    api_users (id) {
        id -> Integer,
        author_id -> Integer,
        user_id -> Text,
        password_hash -> Text,
        permissions -> Text,
        failed_logins -> Integer,
        throttled_until -> Nullable<Timestamp>,
    }
}

diesel::table! {
    products (id) {
        id -> Integer,
        author_id -> Integer,
        name -> Text,
        latest_version -> Nullable<Text>,
        latest_free_version -> Nullable<Text>,
        url_info -> Nullable<Text>,
        url_file -> Nullable<Text>,
        release_date -> Nullable<Date>,
        short_message -> Nullable<Text>,
    }
}

diesel::table! {
    product_options (id) {
        id -> Integer,
        product_id -> Integer,
        name -> Text,
        option_type -> Text,
        enabled -> Bool,
        hidden -> Bool,
        quantity_mode -> Text,
        min_quantity -> Integer,
        max_quantity -> Integer,
        activations_per_unit -> Integer,
        issue_license -> Bool,
        issue_installation_id -> Bool,
        allow_deactivations -> Bool,
        deactivations_per_unit -> Integer,
        allow_reactivation -> Bool,
        ip_mode -> Text,
        ip_mask -> Text,
        additional_days -> Integer,
        min_version -> Nullable<Text>,
        min_version_url -> Nullable<Text>,
        unlock_threshold -> Integer,
        trigger_code -> Integer,
        tc_seed -> Integer,
        rk2_seed -> Integer,
        tc_fixed_value -> Integer,
        tc_algorithm -> Text,
        offact_key -> Nullable<Text>,
        days_to_download -> Integer,
        reset_expiration -> Bool,
        upgrade_behavior -> Text,
        upgrade_from -> Nullable<Integer>,
        upgrade_to -> Nullable<Integer>,
        replaced_by -> Nullable<Integer>,
        license_counter_source -> Text,
        license_counter_value -> BigInt,
        license_counter_type -> Text,
        network_floating_set_id -> Nullable<Integer>,
        udf_writable -> Bool,
        custom_data -> Nullable<Text>,
        track_inventory -> Bool,
        allow_backorder -> Bool,
        stock_quantity -> Integer,
        min_stock_quantity -> Integer,
        threshold_plugin -> Nullable<Text>,
        pre_activation_plugin -> Nullable<Text>,
        post_activation_plugin -> Nullable<Text>,
    }
}

diesel::table! {
    customers (id) {
        id -> Integer,
        company_name -> Text,
        first_name -> Text,
        last_name -> Text,
        email -> Text,
        phone -> Text,
        address1 -> Text,
        address2 -> Text,
        city -> Text,
        state_province -> Text,
        postal_code -> Text,
        country -> Text,
        registered -> Bool,
        password -> Nullable<Text>,
        created_at -> Timestamp,
        fax -> Text,
        author_id -> Nullable<Integer>,
        bulk_batch_id -> Nullable<Integer>,
    }
}

diesel::table! {
    licenses (id) {
        id -> Integer,
        option_id -> Integer,
        customer_id -> Integer,
        status -> Text,
        activation_password -> Text,
        quantity -> Integer,
        activations_left -> Integer,
        activations_allowed -> Integer,
        deactivations_left -> Integer,
        license_counter -> Nullable<BigInt>,
        expiration -> Nullable<Date>,
        allowed_ips -> Nullable<Text>,
        license_update -> Text,
        update_counter -> BigInt,
        serial_number -> Nullable<Integer>,
        entered_date -> Timestamp,
        distributor_id -> Nullable<Integer>,
        invoice_number -> Nullable<Text>,
        notes -> Text,
        custom_data -> Nullable<Text>,
        udef_char1 -> Nullable<Text>,
        udef_char2 -> Nullable<Text>,
        udef_char3 -> Nullable<Text>,
        udef_char4 -> Nullable<Text>,
        udef_char5 -> Nullable<Text>,
        udef_char6 -> Nullable<Text>,
        udef_char7 -> Nullable<Text>,
        udef_char8 -> Nullable<Text>,
        udef_char9 -> Nullable<Text>,
        udef_char10 -> Nullable<Text>,
        udef_num1 -> Nullable<BigInt>,
        udef_num2 -> Nullable<BigInt>,
        udef_num3 -> Nullable<BigInt>,
        udef_num4 -> Nullable<BigInt>,
        udef_num5 -> Nullable<BigInt>,
        download_until -> Nullable<Date>,
        bulk_batch_id -> Nullable<Integer>,
        custom_data_format -> Text,
    }
}

diesel::table! {
    activation_records (id) {
        id -> BigInt,
        license_id -> Integer,
        installation_id -> Nullable<Text>,
        key_fingerprint -> Nullable<Text>,
        computer_id -> Nullable<BigInt>,
        identifiers -> Text,
        kind -> Text,
        consumed -> Bool,
        state -> Text,
        deactivated_at -> Nullable<Timestamp>,
        deactivation_reason -> Nullable<Text>,
        related_installation_id -> Nullable<Text>,
        granted_at -> Timestamp,
        path -> Text,
        option_id -> Integer,
        session_code -> Nullable<Text>,
        stored_reply -> Nullable<Text>,
        ip -> Nullable<Text>,
        version -> Nullable<Text>,
        last_seen_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    activation_history (id) {
        id -> BigInt,
        at -> Timestamp,
        operation -> Text,
        license_id -> Nullable<Integer>,
        installation_id -> Nullable<Text>,
        result_code -> Integer,
        reason -> Text,
        ip -> Nullable<Text>,
    }
}

diesel::table! {
    encryption_keys (id) {
        id -> Text,
        author_id -> Integer,
        algorithm -> Text,
        created_at -> Timestamp,
        retired_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
        client_private_pem -> Text,
        client_public_pem -> Text,
        server_private_pem -> Text,
        server_public_pem -> Text,
        envelope -> Text,
        envelope_key -> Text,
    }
}

diesel::table! {
    counter_transactions (id) {
        id -> BigInt,
        license_id -> Integer,
        transaction_id -> Text,
        counter -> BigInt,
        update_counter -> BigInt,
        at -> Timestamp,
    }
}

diesel::table! {
    network_floating_sets (id) {
        id -> Integer,
        name -> Text,
        poll_frequency -> Integer,
        poll_retry_frequency -> Integer,
        poll_retry_count -> Integer,
        allow_overages -> Bool,
        overage_seconds -> Integer,
        checkout_min_hours -> Integer,
        checkout_max_hours -> Integer,
    }
}

diesel::table! {
    distributors (customer_id) {
        customer_id -> Integer,
        enabled -> Bool,
        discount_percent -> BigInt,
        cost -> BigInt,
    }
}

diesel::table! {
    invoices (invoice_number) {
        invoice_number -> Text,
        customer_id -> Integer,
        invoice_date -> Date,
        amount_tax -> BigInt,
        amount_shipping -> BigInt,
        amount_discount -> BigInt,
        amount_charged -> BigInt,
    }
}

diesel::table! {
    invoice_lines (id) {
        id -> Integer,
        invoice_number -> Text,
        option_id -> Integer,
        unit_price -> BigInt,
        quantity -> BigInt,
    }
}

diesel::table! {
    floating_sessions (id) {
        id -> Text,
        license_id -> Integer,
        opened_at -> Timestamp,
        last_poll_at -> Timestamp,
        allocated_until -> Timestamp,
        checked_out -> Bool,
        closed -> Bool,
        installation_name -> Nullable<Text>,
        identifiers -> Text,
    }
}

diesel::table! {
    license_parameters (license_id, name) {
        license_id -> Integer,
        name -> Text,
        value -> Text,
    }
}

diesel::table! {
    product_option_details (option_id) {
        option_id -> Integer,
        description -> Text,
        image -> Text,
        option_order -> Integer,
        order_level_req -> Integer,
        warehouse_id -> Text,
        unit_of_measure -> Text,
        unit_price -> BigInt,
        payment_plan -> Text,
        rebate_amount -> BigInt,
        rebate_url -> Text,
        order_confirm_html -> Text,
        portal_html -> Text,
        new_customers_only -> Bool,
        tax_exempt -> Bool,
        no_invoice_discounts -> Bool,
        file_to_download -> Text,
        download_page -> Text,
        trial_required -> Bool,
        license_file_name -> Text,
        license_labels -> Text,
        custom_parameter_set -> Text,
        qb_item -> Text,
        qb_account -> Text,
        qb_taxable -> Bool,
        qb_class -> Text,
    }
}

diesel::table! {
    bulk_batches (id) {
        id -> Integer,
        option_id -> Integer,
        first_license_id -> Integer,
        last_license_id -> Integer,
        first_customer_id -> Nullable<Integer>,
        last_customer_id -> Nullable<Integer>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    license_usage_counters (license_id) {
        license_id -> Integer,
        counter1 -> BigInt,
        counter2 -> BigInt,
        counter3 -> BigInt,
        counter4 -> BigInt,
        counter5 -> BigInt,
        posted_at -> Timestamp,
    }
}

diesel::joinable!(api_users -> authors (author_id));
diesel::joinable!(products -> authors (author_id));
diesel::joinable!(product_options -> products (product_id));
diesel::joinable!(licenses -> customers (customer_id));
diesel::joinable!(licenses -> product_options (option_id));
diesel::joinable!(activation_records -> licenses (license_id));
diesel::joinable!(encryption_keys -> authors (author_id));
diesel::joinable!(counter_transactions -> licenses (license_id));
diesel::joinable!(floating_sessions -> licenses (license_id));
diesel::joinable!(distributors -> customers (customer_id));
diesel::joinable!(invoice_lines -> invoices (invoice_number));
diesel::joinable!(license_parameters -> licenses (license_id));
diesel::joinable!(product_option_details -> product_options (option_id));
diesel::joinable!(license_usage_counters -> licenses (license_id));

diesel::allow_tables_to_appear_in_same_query!(
    authors,
    api_users,
    products,
    product_options,
    customers,
    licenses,
    activation_records,
    activation_history,
    encryption_keys,
    counter_transactions,
    offline_requests,
    network_floating_sets,
    floating_sessions,
    distributors,
    invoices,
    invoice_lines,
    license_parameters,
    product_option_details,
    bulk_batches,
    license_usage_counters,
);
